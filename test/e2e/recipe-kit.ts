// What the e2e files of the built-in recipes (recipe-*.test.ts) share: the popup's first look at a recipe site and
// the panel's revoke, as a user goes through them. Each file keeps its site's own checks.
import { expect } from 'vitest';
import type { Page } from 'playwright-core';
import type { Extension } from './extension.ts';

/** The popup names the recipe's product and the signed-in user, and offers Generate token. */
export async function expectRecipePopup(popup: Page, siteName: string, userName: string): Promise<void> {
  await expect.poll(() => popup.getByRole('heading', { name: siteName }).count()).toBe(1);
  await expect.poll(() => popup.getByText('Signed in as').textContent()).toContain(userName);
  await expect.poll(() => popup.getByRole('button', { name: 'Generate token' }).count()).toBe(1);
}

/** The ids of the scope checkboxes that are ticked, in the popup's order. */
export async function tickedScopes(popup: Page, ids: readonly string[]): Promise<string[]> {
  const ticked: string[] = [];
  for (const id of ids) if (await popup.getByRole('checkbox', { name: id, exact: true }).isChecked()) ticked.push(id);
  return ticked;
}

/** Keeps the token on show (Save to vault), then ends the reveal (Done), as a user keeps a new token. */
export async function keepAndFinish(popup: Page): Promise<void> {
  await popup.getByRole('button', { name: 'Save to vault' }).click();
  await expect.poll(() => popup.getByRole('status').textContent()).toContain('Saved in Tokenmint');
  await popup.getByRole('button', { name: 'Done' }).click();
}

/** The devtools panel, opened as a page acting on `tab`. */
export async function openPanel(ext: Extension, tab: Page): Promise<Page> {
  const panel = await ext.context.newPage();
  await panel.setViewportSize({ width: 1200, height: 800 });
  await panel.goto(`chrome-extension://${ext.id}/src/devtools/panel.html?tabId=${await ext.tabIdOf(tab)}`);
  return panel;
}

/** The panel's row whose first cell is exactly `name`. */
export const panelRow = (panel: Page, name: string) => panel.getByRole('row').filter({ has: panel.getByRole('cell', { name, exact: true }) });

/** Waits for the row named `name`, revokes it through Revoke and Confirm revoke, and waits until it is gone. */
export async function revokeInPanel(panel: Page, name: string): Promise<void> {
  const row = panelRow(panel, name);
  await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(1);
  await row.getByRole('button', { name: 'Revoke' }).click();
  await row.getByRole('button', { name: 'Confirm revoke' }).click();
  await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(0);
}
