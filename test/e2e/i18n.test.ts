// The extension in a German browser: every page and the worker's sentences come from _locales/de, and minting works
// the same. The other e2e files run an English browser (launchExtension's default), whose names the UI contract uses.
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { demo, startGoodData, type GoodDataSite } from '../sites/gooddata.ts';
import { launchExtension, type Extension } from './extension.ts';
import { expectNoLeak } from './kit.ts';

let ext: Extension;
let site: GoodDataSite;

beforeAll(async () => {
  [site, ext] = await Promise.all([startGoodData(), launchExtension(undefined, { lang: 'de' })]);
});

afterAll(async () => {
  await ext?.close();
  await site?.close();
});

afterEach(async () => {
  for (const page of ext.context.pages()) await page.close();
  await ext.reset();
});

async function popupOn(path: string, signIn: boolean): Promise<Page> {
  const tab = await ext.context.newPage();
  await tab.goto(site.origin + path);
  if (signIn) await demo.signIn(tab, site.origin, demo.logins[0]!);
  return ext.openPopup(await ext.tabIdOf(tab));
}

test('the popup speaks German, and a token minted through it works', async () => {
  const popup = await popupOn(demo.signInPath, true);
  const generate = popup.getByRole('button', { name: 'Token erzeugen' });
  await expect.poll(() => generate.count()).toBe(1);
  expect(await popup.evaluate(() => document.documentElement.lang)).toBe('de');
  await expect.poll(() => popup.getByText('Angemeldet als').textContent()).toContain('Demo User');
  await popup.getByRole('textbox', { name: 'Token-Name' }).fill('auf-deutsch');
  expect(await popup.getByRole('button', { name: 'Generate token' }).count()).toBe(0);

  await generate.click();
  const token = popup.getByRole('textbox', { name: 'Neues Token' });
  await expect.poll(() => token.count()).toBe(1);
  const secret = await token.inputValue();
  expect(site.tokens('demo').map((made) => [made.id, made.bearerToken])).toContainEqual(['auf-deutsch', secret]);
  expect(await popup.getByRole('heading', { name: 'Token „auf-deutsch“ ist bereit' }).count()).toBe(1);
  expect(await popup.getByRole('button', { name: 'Kopieren', exact: true }).count()).toBe(1);
  expect(await popup.getByRole('button', { name: 'Fertig' }).count()).toBe(1);
  await expectNoLeak(ext, secret);
});

test('a sentence made in the worker is German too: signed out, the alert links to Anmelden', async () => {
  const popup = await popupOn('/', false);
  const alert = popup.getByRole('alert');
  await expect.poll(() => alert.textContent()).toContain('Sie sind bei GoodData nicht angemeldet.');
  expect(await alert.getByRole('link', { name: 'Anmelden' }).getAttribute('href')).toBe(site.origin + demo.signInPath);
});

test('the settings page and the devtools panel are German', async () => {
  const options = await ext.context.newPage();
  await options.goto(`chrome-extension://${ext.id}/src/options/index.html`);
  await expect.poll(() => options.getByRole('heading', { level: 1, name: 'Einstellungen' }).count()).toBe(1);
  expect(await options.title()).toBe('Tokenmint-Einstellungen');

  const tab = await ext.context.newPage();
  await tab.goto(site.origin + demo.signInPath);
  await demo.signIn(tab, site.origin, demo.logins[0]!);
  const panel = await ext.context.newPage();
  await panel.goto(`chrome-extension://${ext.id}/src/devtools/panel.html?tabId=${await ext.tabIdOf(tab)}`);
  await expect.poll(() => panel.getByRole('button', { name: 'Aktualisieren' }).count()).toBe(1);
  await expect.poll(() => panel.getByRole('columnheader', { name: 'Zuletzt verwendet' }).count()).toBe(1);
});
