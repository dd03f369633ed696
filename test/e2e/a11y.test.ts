/// <reference types="chrome" />
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { POPUP_VIEWPORT, screenshot } from '../../scripts/demo.ts';
import { demo as cdsDemo } from '../sites/cds.ts';
import { demo as gooddataDemo } from '../sites/gooddata.ts';
import { html, startSite, type Site } from '../sites/harness.ts';
import { useTwoSites } from './two-sites.ts';

/**
 * axe-core over every state a user meets in the popup, the panel and the options page, in the light and the dark
 * colour scheme: no serious or critical violation anywhere. On the way it takes the README's screenshots (into
 * artifacts/screenshots/readme/; `npm run screenshots` copies them to docs/screenshots/) and writes every finding,
 * whatever its impact, to artifacts/a11y.md.
 */

const TOKENS_PATH = '/api/v1/entities/users/demo/apiTokens';
const PASSPHRASE = 'correct horse battery';
const SHOTS = resolve('artifacts/screenshots/readme');
const REPORT = resolve('artifacts/a11y.md');
// Extension pages allow only their own scripts (CSP script-src 'self'): a <script> tag with axe would be refused, so
// its source is evaluated through the DevTools protocol, which the page's CSP does not govern.
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

type Scheme = 'light' | 'dark';
interface Finding {
  rule: string;
  impact: string;
  targets: string[];
}
const audited: { state: string; scheme: Scheme; findings: Finding[]; smallest: number }[] = [];
/** The least font size any text may have (Chromium's own stylesheet for extension pages would make body text 10.5px). */
const SMALLEST_TEXT_PX = 12;

const sites = useTwoSites();
const { signedIn } = sites;
/** A site no adapter knows. */
let plain: Site;

beforeAll(async () => {
  plain = await startSite(() => html(200, '<!doctype html><title>Plain</title><h1>Just a page</h1>'));
  await mkdir(SHOTS, { recursive: true });
});

afterAll(async () => {
  await plain?.close();
  await writeFile(REPORT, report());
});

/** Every axe violation on the page as it is now. */
async function audit(page: Page): Promise<Finding[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const { axe } = window as unknown as { axe: typeof import('axe-core') };
    const { violations, incomplete } = await axe.run(document, { resultTypes: ['violations', 'incomplete'] });
    // What axe could not decide (a contrast over an image, say) is reported for a person to look at, not failed.
    const undecided = incomplete.map((result) => ({ ...result, impact: 'needs review', nodes: result.nodes }));
    return [...violations, ...undecided].map((result) => ({
      rule: result.id,
      impact: result.impact ?? 'minor',
      targets: result.nodes.map((node) => node.target.join(' ')),
    }));
  });
}

/** The font size of the smallest text shown, and where it is (tag and class: never the text, which may be a secret). */
function smallestText(page: Page): Promise<{ size: number; where: string }> {
  return page.evaluate(() => {
    let smallest = { size: Infinity, where: '' };
    for (const element of document.querySelectorAll<HTMLElement>('body *')) {
      const hasText = [...element.childNodes].some((node) => node.nodeType === Node.TEXT_NODE && node.textContent?.trim());
      if (!hasText || !element.checkVisibility()) continue;
      const size = parseFloat(getComputedStyle(element).fontSize);
      if (size < smallest.size) smallest = { size, where: `${element.tagName.toLowerCase()}.${element.className}` };
    }
    return smallest;
  });
}

/**
 * Audits `page` in both colour schemes, noting every finding for the report and failing (softly, so every state
 * still gets audited) on a serious or critical one. `shots` names the README screenshots taken in each scheme.
 */
async function expectAccessible(page: Page, state: string, shots: Partial<Record<Scheme, string>> = {}): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    const [findings, smallest] = await Promise.all([audit(page), smallestText(page)]);
    audited.push({ state, scheme, findings, smallest: smallest.size });
    expect.soft(smallest.size, `${state}, ${scheme}: text in ${smallest.where}`).toBeGreaterThanOrEqual(SMALLEST_TEXT_PX);
    const shot = shots[scheme];
    if (shot) await screenshot(page, SHOTS, shot);
    const blocking = findings.filter((finding) => finding.impact === 'serious' || finding.impact === 'critical');
    expect.soft(blocking, `${state}, ${scheme}`).toEqual([]);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

function report(): string {
  const lines = audited.map(({ state, scheme, findings, smallest }) => {
    const said = findings.map((finding) => `${finding.impact} ${finding.rule} (${finding.targets.join(', ')})`);
    return `| ${state} | ${scheme} | ${said.join('; ') || 'none'} | ${smallest} |`;
  });
  const head = ['# axe-core findings by page and state', '', '| state | scheme | findings | smallest text (px) |', '|---|---|---|---|'];
  return [...head, ...lines, ''].join('\n');
}

let tabs = 0;
/**
 * A new tab at the front page of `origin`, signed in or not as the browser's cookies say. Its URL is its own (tabs
 * are found by URL), so it is never taken for an earlier tab of the same site.
 */
async function tabAt(origin: string): Promise<Page> {
  const tab = await sites.ext.context.newPage();
  await tab.goto(`${origin}/?tab=${++tabs}`);
  return tab;
}

async function popupFor(tab: Page): Promise<Page> {
  const popup = await sites.ext.openPopup(await sites.ext.tabIdOf(tab));
  await popup.setViewportSize(POPUP_VIEWPORT);
  return popup;
}

async function openOptions(): Promise<Page> {
  const options = await sites.ext.context.newPage();
  await options.setViewportSize({ width: 900, height: 900 });
  await options.goto(`chrome-extension://${sites.ext.id}/src/options/index.html`);
  await options.getByRole('heading', { name: 'Settings', exact: true }).waitFor();
  return options;
}

const generateButton = (popup: Page) => popup.getByRole('button', { name: 'Generate token' });
const newToken = (popup: Page) => popup.getByRole('textbox', { name: 'New token' });

describe('axe-core finds no serious or critical violation, light or dark', () => {
  test('the audit sees an extension page: an unlabelled field in grey on white is reported', async () => {
    const options = await openOptions();
    await options.evaluate(() => {
      document.body.insertAdjacentHTML('beforeend', '<p style="color:#bbb;background:#fff">faint</p><input type="text">');
    });
    const rules = (await audit(options)).map((finding) => `${finding.impact} ${finding.rule}`);
    expect(rules).toEqual(expect.arrayContaining(['serious color-contrast', 'critical label']));
  });

  test('popup on GoodData: form, busy, reveal, a failed mint, signed out, a site it does not know', async () => {
    const popup = await popupFor(await signedIn(sites.gooddata, gooddataDemo));
    await generateButton(popup).click({ trial: true });
    await expectAccessible(popup, 'popup: form', { light: 'popup', dark: 'popup-dark' });

    // A create that never answers keeps this tab's popup busy; the next states use a tab of their own.
    sites.gooddata.inject({ method: 'POST', path: TOKENS_PATH, hang: true });
    await generateButton(popup).click();
    await popup.getByRole('progressbar').waitFor();
    await expectAccessible(popup, 'popup: busy');

    const again = await popupFor(await tabAt(sites.gooddata.origin));
    sites.gooddata.inject({ method: 'POST', path: TOKENS_PATH, status: 503, contentType: 'text/html', body: '<h1>Down</h1>' });
    await generateButton(again).click();
    await again.getByRole('alert').waitFor();
    await expectAccessible(again, 'popup: failed mint (alert)');

    await generateButton(again).click();
    await newToken(again).waitFor();
    sites.ext.noteSecret(await newToken(again).inputValue());
    await expectAccessible(again, 'popup: reveal', { light: 'reveal' });
    await again.getByRole('button', { name: 'Save to vault' }).click();
    await again.getByText('Saved in Tokenmint').waitFor();
    await expectAccessible(again, 'popup: reveal, saved');
    // An open reveal comes first in every popup: end it.
    await again.getByRole('button', { name: 'Done' }).click();

    await sites.ext.context.clearCookies();
    const alert = await popupFor(await tabAt(sites.gooddata.origin));
    await alert.getByRole('link', { name: 'Sign in' }).waitFor();
    await expectAccessible(alert, 'popup: signed out (alert with Sign in)');

    const unknown = await popupFor(await tabAt(plain.origin));
    await unknown.getByRole('heading', { name: 'Not a supported site' }).waitFor();
    await expectAccessible(unknown, 'popup: unknown site');
  });

  test('popup on CDS: description, scopes, groups, expiry, and a field with a problem', async () => {
    const popup = await popupFor(await signedIn(sites.cds, cdsDemo));
    await generateButton(popup).click({ trial: true });
    await expectAccessible(popup, 'popup: CDS form', { light: 'popup-cds' });
    await popup.getByRole('spinbutton', { name: 'Expires in days' }).fill('0');
    await popup.getByText(/^Use \d+ to \d+ days\.$/).waitFor();
    await expectAccessible(popup, 'popup: CDS form, invalid expiry');
  });

  test('panel: token rows, Copy as… choices, a confirm-revoke', async () => {
    sites.cds.addToken('jdoe', 'ci-deploy', { scopes: ['Project', 'Run'], days: 30 });
    sites.cds.addToken('jdoe', 'nightly-report', { scopes: ['Project'], days: 7 });
    sites.cds.addToken('jdoe', 'hatchery-eu', { scopes: ['Hatchery', 'Service'], days: 365 });
    const tab = await signedIn(sites.cds, cdsDemo);
    const tabId = await sites.ext.tabIdOf(tab);
    const popup = await popupFor(tab);
    await popup.getByRole('textbox', { name: 'Token name' }).fill('laptop-cli');
    await popup.getByRole('checkbox', { name: 'Run', exact: true }).check();
    await generateButton(popup).click();
    sites.ext.noteSecret(await newToken(popup).inputValue());
    await popup.getByRole('button', { name: 'Save to vault' }).click();
    await popup.getByText('Saved in Tokenmint').waitFor();
    await popup.getByRole('button', { name: 'Done' }).click();

    const panel = await sites.ext.context.newPage();
    await panel.setViewportSize({ width: 1150, height: 330 });
    await panel.goto(`chrome-extension://${sites.ext.id}/src/devtools/panel.html?tabId=${tabId}`);
    await panel.getByText('4 tokens').waitFor();
    const saved = panel.getByRole('row').filter({ hasText: 'laptop-cli' });
    await saved.getByRole('button', { name: 'Verify' }).click();
    await panel.getByText('valid (jdoe)').waitFor();
    await expectAccessible(panel, 'panel: rows', { light: 'panel' });

    await saved.getByRole('button', { name: 'Copy as…' }).click();
    await expectAccessible(panel, 'panel: Copy as… choices');
    await saved.getByRole('button', { name: 'Cancel' }).click();
    await panel.getByRole('row').filter({ hasText: 'ci-deploy' }).getByRole('button', { name: 'Revoke' }).click();
    await panel.getByRole('button', { name: 'Confirm revoke' }).waitFor();
    await expectAccessible(panel, 'panel: confirm revoke');
  });

  test('options: each vault state, and the confirmations', async () => {
    const options = await openOptions();
    const vault = options.getByRole('region', { name: 'Vault' });
    const vaultStatus = options.getByRole('status', { name: 'Vault status' });
    await expect.poll(() => vaultStatus.textContent()).toMatch(/^This browser session only/);
    // Its own stylesheet wins over the popup's narrow body, in whichever order the build links them.
    expect(await options.evaluate(() => getComputedStyle(document.body).maxWidth)).toBe('720px');
    await expectAccessible(options, 'options: session-only vault', { light: 'options' });

    await vault.getByRole('radio', { name: 'Persistent, locked by a passphrase' }).check();
    await vault.getByLabel('Passphrase', { exact: true }).fill('short');
    await expectAccessible(options, 'options: setting up, passphrase too short');
    await vault.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
    await vault.getByLabel('Repeat the passphrase', { exact: true }).fill(PASSPHRASE);
    await vault.getByRole('button', { name: 'Turn on the persistent vault' }).click();
    await expect.poll(() => vaultStatus.textContent(), { timeout: 20_000 }).toMatch(/^Unlocked · /);
    await vault.getByText('Change passphrase…').click();
    await expectAccessible(options, 'options: unlocked, change passphrase open');

    const data = options.getByRole('region', { name: 'Export and wipe' });
    await data.getByRole('checkbox', { name: 'Include the secrets' }).check();
    await expectAccessible(options, 'options: export with secrets, to confirm');

    await vault.getByRole('button', { name: 'Lock now' }).click();
    await expect.poll(() => vaultStatus.textContent()).toMatch(/^Locked · /);
    await expectAccessible(options, 'options: locked');

    await vault.getByLabel('Passphrase', { exact: true }).fill('not the passphrase');
    await vault.getByRole('button', { name: 'Unlock' }).click();
    await vault.getByRole('alert').waitFor({ timeout: 20_000 });
    await expectAccessible(options, 'options: wrong passphrase (alert)');

    await data.getByRole('button', { name: 'Wipe…' }).click();
    await data.getByRole('button', { name: 'Confirm wipe' }).waitFor();
    await expectAccessible(options, 'options: confirm wipe');
  });

  test('options: the recipe section refusing a recipe, pasted and filled in', async () => {
    const options = await openOptions();
    const recipes = options.getByRole('region', { name: 'Site recipes' });
    await recipes.getByRole('textbox', { name: 'Recipe (JSON)' }).fill('{"format": 1, "id": "Bad Id", "origins": ["*://*/*"]}');
    await recipes.getByRole('button', { name: 'Add recipe' }).click();
    await recipes.getByRole('list', { name: 'Problems with the recipe' }).getByRole('listitem').first().waitFor();
    await expectAccessible(options, 'options: recipe pasted, with its problems');

    await recipes.getByRole('radio', { name: 'Fill in a form' }).check();
    await recipes.getByRole('textbox', { name: 'Id (id)' }).fill('Bad Id');
    await recipes.getByRole('button', { name: 'Add recipe' }).click();
    await expect.poll(() => recipes.getByRole('textbox', { name: 'Id (id)' }).getAttribute('aria-invalid')).toBe('true');
    await expectAccessible(options, 'options: recipe form, fields marked invalid');
  });
});

describe('motion', () => {
  test('the busy popup’s progress bar sweeps, and stands still under prefers-reduced-motion: reduce', async () => {
    const popup = await popupFor(await signedIn(sites.gooddata, gooddataDemo));
    sites.gooddata.inject({ method: 'POST', path: TOKENS_PATH, hang: true });
    await generateButton(popup).click();
    await popup.getByRole('progressbar').waitFor();
    const moving = () => popup.evaluate(() => document.getAnimations().filter((animation) => animation.playState === 'running').length);
    await popup.emulateMedia({ reducedMotion: 'no-preference' });
    expect(await moving()).toBeGreaterThan(0);
    await popup.emulateMedia({ reducedMotion: 'reduce' });
    await expect.poll(moving).toBe(0);
  });
});
