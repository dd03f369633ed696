// A per-origin site override added through the options page, as a user assigns a self-hosted install (any host) to a
// built-in recipe. Playwright only, no test runner: `npm start` assigns its recipe sites with it too.
/// <reference types="chrome" />
import type { Extension } from './extension.ts';

/** Adds the override `origin` → the site or recipe named `siteName` in the options page, and waits until it is saved. */
export async function assignSite(ext: Extension, origin: string, siteName: string): Promise<void> {
  const path = await ext.worker.evaluate(() => chrome.runtime.getManifest().options_ui?.page ?? '');
  const options = await ext.context.newPage();
  try {
    await options.goto(`chrome-extension://${ext.id}/${path}`);
    const overrides = options.getByRole('region', { name: 'Site overrides' });
    await overrides.getByRole('textbox', { name: 'Origin' }).fill(origin);
    await overrides.getByRole('combobox', { name: 'Site' }).selectOption({ label: siteName });
    await overrides.getByRole('button', { name: 'Add override' }).click();
    await overrides.getByRole('status').filter({ hasText: `Added the override for ${new URL(origin).host}.` }).waitFor();
  } finally {
    await options.close();
  }
}
