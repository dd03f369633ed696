// The headless half of `npm start`: one demo mint per emulated site, driven like a user would, with screenshots.
import { mkdir } from 'node:fs/promises';
import type { Locator, Page } from 'playwright-core';
import { mask } from '../src/core/token.ts';
import type { Extension } from '../test/e2e/extension.ts';
import type { Site } from '../test/sites/harness.ts';

export interface Login {
  user: string;
  password: string;
  note?: string;
}

/** One emulated site as `npm start` runs and demonstrates it. Adding a site is adding one of these. */
export interface DemoSite {
  /** The adapter id; also names the screenshots. */
  id: string;
  name: string;
  /** Default loopback port; `TOKENMINT_PORT_<ID>` overrides it. */
  port: number;
  /** Where a signed-out user goes to sign in. */
  signInPath: string;
  /** The first login is the one the demo uses. */
  logins: [Login, ...Login[]];
  start(port: number): Promise<Site>;
  /** On the site's login page: fills in the form and waits until signed in. */
  signIn(page: Page, origin: string, login: Login): Promise<void>;
  /** Uses the minted credential against the site on its own; returns who it authenticated as, or throws. */
  verify(origin: string, secret: string): Promise<string>;
}

export interface RunningSite {
  demo: DemoSite;
  site: Site;
}

/** About the size of the popup under the toolbar button: screenshots of it opened as a page use this viewport. */
export const POPUP_VIEWPORT = { width: 380, height: 420 };

/** Writes a full-page screenshot of `page` to `<outDir>/<name>.png`. */
export function screenshot(page: Page, outDir: string, name: string): Promise<Buffer> {
  return page.screenshot({ path: `${outDir}/${name}.png`, fullPage: true });
}

/** Runs the demo on every site; prints one line per site; true when all of them worked. */
export async function runDemos(ext: Extension, sites: RunningSite[], pickerUrl: string, outDir: string): Promise<boolean> {
  await mkdir(outDir, { recursive: true });
  let ok = true;
  for (const running of sites) {
    const started = Date.now();
    try {
      const summary = await runDemo(ext, running, pickerUrl, outDir);
      console.log(`✓ ${running.demo.id}: ${summary} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    } catch (error) {
      ok = false;
      console.error(`✗ ${running.demo.id}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return ok;
}

async function runDemo(ext: Extension, { demo, site }: RunningSite, pickerUrl: string, outDir: string): Promise<string> {
  const shot = (page: Page, name: string) => screenshot(page, outDir, `${demo.id}-${name}`);
  let secret = '';
  /** Names the step that failed, keeps Playwright's call log out, and never lets the secret through. */
  async function step<T>(label: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      const first = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
      throw new Error(`${label} failed: ${secret ? first.replaceAll(secret, mask(secret)) : first}`);
    }
  }

  const tab = await ext.context.newPage();
  await step('opening the site picker', () => tab.goto(pickerUrl));
  const [login] = demo.logins;
  await step(`signing in as ${login.user}`, async () => {
    await tab.getByRole('link', { name: `Sign in to ${demo.name}` }).click();
    await demo.signIn(tab, site.origin, login);
  });

  const popup = await step('opening the popup', async () => {
    const page = await ext.openPopup(await ext.tabIdOf(tab));
    await page.setViewportSize(POPUP_VIEWPORT);
    return page;
  });
  await step('waiting for the popup to offer Generate token', async () => {
    await settled(popup, popup.getByRole('button', { name: 'Generate token' }));
    // Waits until it is enabled (the site and user were recognised), without clicking.
    await popup.getByRole('button', { name: 'Generate token' }).click({ trial: true });
    await shot(popup, 'popup');
  });

  secret = await step('generating a token', async () => {
    await popup.getByRole('button', { name: 'Generate token' }).click();
    const token = popup.getByRole('textbox', { name: 'New token' });
    await settled(popup, token);
    const value = await token.inputValue();
    if (!value) throw new Error('the New token box is empty');
    return value;
  });
  await step('taking the reveal screenshot', () => shot(popup, 'reveal'));
  const who = await step('using the token against the site', () => demo.verify(site.origin, secret));
  // Done ends the reveal, as a user would: an open reveal is shown first on every site's popup.
  await step('pressing Done', () => popup.getByRole('button', { name: 'Done' }).click());
  await popup.close();
  await tab.close();
  return `token ${mask(secret)} minted in the popup; it authenticates on its own as ${who}`;
}

/** Waits for `target`, or fails with the popup's alert sentence if one shows up (instead or as well). */
async function settled(popup: Page, target: Locator): Promise<void> {
  const alert = popup.getByRole('alert');
  await target.or(alert).first().waitFor();
  if ((await alert.count()) > 0) throw new Error(`the popup says: ${(await alert.first().innerText()).replace(/\s+/g, ' ').trim()}`);
}
