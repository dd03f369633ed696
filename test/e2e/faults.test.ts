/// <reference types="chrome" />
// Faults in the middle of a mint, in Chromium through the real popup (issue 6's e2e subset): the service worker stopped,
// the tab navigated or closed, two mints at once, a create that never answers, a session that expired after the popup
// opened. Each ends in one plain sentence, with no second token and no secret in any console line.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { demo, startGoodData } from '../sites/gooddata.ts';
import { demo as insightDemo, startInsightIo, type InsightIoSite } from '../sites/insightio.ts';
import { html, startSite, type Site } from '../sites/harness.ts';
import type { Reply } from '../../src/core/messages.ts';
import type { Reveal } from '../../src/core/token.ts';
import { expectNoLeak, expectPlainAlert, expectReady, generate, useE2e } from './kit.ts';

const TOKENS_PATH = '/api/v1/entities/users/demo/apiTokens';
/** Long enough to act while the create is on its way, short enough to wait out. */
const CREATE_DELAY_MS = 2500;
/** Waits that outlast CREATE_DELAY_MS (expect.poll gives up after 1 s by default). */
const PAST_DELAY = { timeout: CREATE_DELAY_MS + 8000 };

const e2e = useE2e(startGoodData, demo);
const { signedInTab, popupFor } = e2e;
/** A site no adapter knows: where a tab goes when it leaves mid-mint. */
let plain: Site;

beforeAll(async () => {
  plain = await startSite(() => html(200, '<!doctype html><title>Plain</title><h1>Just a page</h1>'));
});

afterAll(async () => {
  await plain?.close();
});

const host = () => new URL(e2e.site.origin).host;
const named = (name: string) => e2e.site.tokens('demo').filter((token) => token.id === name);
const creates = (site: Site, path: string) => site.requests().filter((r) => r.method === 'POST' && r.path === path);
const generateButton = (popup: Page) => popup.getByRole('button', { name: 'Generate token' });

/** Fills in the name and clicks Generate; returns once the create has reached the site (it is delayed there). */
async function clickGenerateAndWaitForCreate(popup: Page, name: string): Promise<void> {
  e2e.site.clearRequests();
  await popup.getByRole('textbox', { name: 'Token name' }).fill(name);
  await generateButton(popup).click();
  await expect.poll(() => creates(e2e.site, TOKENS_PATH).length, { timeout: 5000 }).toBe(1);
}

/** The alerts the popup shows, as text (one per alert). */
const alerts = (popup: Page) => popup.getByRole('alert').allTextContents();

/** The bearer tokens the site holds for `name`: secrets the test noted even where Tokenmint never received them. */
function siteSecrets(name: string): string[] {
  return named(name).map((token) => token.bearerToken);
}

describe('GoodData: a mint cut short', () => {
  it('worker stopped after the create went out: the reopened popup says the token was made but its secret never arrived, once', async () => {
    const { ext, site } = e2e;
    const tab = await signedInTab();
    const tabId = await ext.tabIdOf(tab);
    const popup = await ext.openPopup(tabId);
    await expectReady(popup);
    site.inject({ method: 'POST', path: TOKENS_PATH, delayMs: CREATE_DELAY_MS });
    await clickGenerateAndWaitForCreate(popup, 'fault-worker-made');
    await ext.stopWorker();

    // The popup that asked is told its background went away, in words, not an exception.
    await expectPlainAlert(popup, 'Tokenmint’s background stopped before it answered.');
    // The create still lands (it was running in the tab): the site made it.
    await expect.poll(() => named('fault-worker-made').length, PAST_DELAY).toBe(1);

    const reopened = await ext.openPopup(tabId);
    await expectPlainAlert(
      reopened,
      'Tokenmint was restarted while making “fault-worker-made”: GoodData made it, but its secret never reached Tokenmint.',
    );
    expect(await reopened.getByRole('alert').textContent()).toContain('Revoke “fault-worker-made” in the Tokenmint panel in DevTools');
    expect(await alerts(reopened)).toHaveLength(1);
    expect(await ext.workerIsFresh()).toBe(true);
    // Nothing was retried: one create, one token.
    expect(creates(site, TOKENS_PATH)).toHaveLength(1);
    expect(named('fault-worker-made')).toHaveLength(1);

    // Usable right after: a new mint works, and the notice is not repeated.
    const secret = await generate(reopened, 'fault-worker-next');
    expect(siteSecrets('fault-worker-next')).toEqual([secret]);
    await reopened.getByRole('button', { name: 'Done' }).click();
    // Done reloads the tab's state (the old form shows meanwhile); the fresh one has no notice, nor has a new popup.
    await expect.poll(() => alerts(reopened)).toEqual([]);
    const again = await ext.openPopup(tabId);
    await expectReady(again);
    expect(await alerts(again)).toEqual([]);
    expect(named('fault-worker-made')).toHaveLength(1);
    await expectNoLeak(ext, secret, ...siteSecrets('fault-worker-made'));
  });

  it('worker stopped while a create that then fails was out: the reopened popup says it is not made yet, and a new one can be made', async () => {
    const { ext, site } = e2e;
    const tabId = await ext.tabIdOf(await signedInTab());
    const popup = await ext.openPopup(tabId);
    await expectReady(popup);
    site.inject({ method: 'POST', path: TOKENS_PATH, delayMs: CREATE_DELAY_MS, status: 503, contentType: 'text/html', body: '<h1>Down</h1>' });
    await clickGenerateAndWaitForCreate(popup, 'fault-worker-lost');
    await ext.stopWorker();
    await expectPlainAlert(popup, 'Tokenmint’s background stopped before it answered.');

    // Within the request's time limit the list cannot say "not made", only "not made yet" (the unit tests cover after).
    const reopened = await ext.openPopup(tabId);
    await expectPlainAlert(
      reopened,
      'Tokenmint was restarted while making “fault-worker-lost”; GoodData has not made it yet, but still may in the next few seconds.',
    );
    expect(await alerts(reopened)).toHaveLength(1);
    expect(named('fault-worker-lost')).toHaveLength(0);

    // Generating it again makes exactly one.
    const secret = await generate(reopened, 'fault-worker-lost');
    expect(siteSecrets('fault-worker-lost')).toEqual([secret]);
    await expectNoLeak(ext, secret);
  });

  // The cut-short create keeps running in the tab: until its time limit is past, "not made" is only "not made yet".
  it('worker stopped, popup reopened before the create landed: the notice never says "did not make it" for a token that then exists', async () => {
    const { ext, site } = e2e;
    const tabId = await ext.tabIdOf(await signedInTab());
    const popup = await ext.openPopup(tabId);
    await expectReady(popup);
    // Long enough that the popup has certainly reopened and looked before the create lands.
    const slow = 6000;
    site.inject({ method: 'POST', path: TOKENS_PATH, delayMs: slow });
    await clickGenerateAndWaitForCreate(popup, 'fault-worker-early');
    await ext.stopWorker();

    const reopened = await ext.openPopup(tabId);
    await expect.poll(() => alerts(reopened).then((list) => list.length), { timeout: 5000 }).toBe(1);
    const notice = (await alerts(reopened))[0]!;
    await expect.poll(() => named('fault-worker-early').length, { timeout: slow + 8000 }).toBe(1);
    await expectNoLeak(ext, ...siteSecrets('fault-worker-early'));
    // The token exists now: a notice that said it was not made told the user something false.
    expect(notice).not.toContain('did not make it');
    expect(notice).toContain('has not made it yet');
    // The record was kept, so the next look tells what became of it.
    const later = await ext.openPopup(tabId);
    await expect.poll(() => alerts(later).then((list) => list.join(' ')), { timeout: 5000 }).toContain(
      'GoodData made it, but its secret never reached Tokenmint.',
    );
  });

  it('the tab navigated to another site mid-mint: one sentence says the token may exist and to check the list; no second token', async () => {
    const { ext, site } = e2e;
    const tab = await signedInTab();
    const popup = await popupFor(tab);
    await expectReady(popup);
    site.inject({ method: 'POST', path: TOKENS_PATH, delayMs: CREATE_DELAY_MS });
    await clickGenerateAndWaitForCreate(popup, 'fault-navigated');
    await tab.goto(`${plain.origin}/`);

    await expectPlainAlert(
      popup,
      `The tab left ${host()} while Tokenmint was making “fault-navigated”, so GoodData may have made it without Tokenmint receiving its secret.`,
    );
    expect(await popup.getByRole('alert').textContent()).toContain(`Open ${host()} again and look for “fault-navigated” in its token list`);
    expect(await alerts(popup)).toHaveLength(1);
    // The popup is not stuck: Generate is offered again.
    expect(await generateButton(popup).isEnabled()).toBe(true);

    // It did exist, once; nothing was retried, nothing went to the other site.
    await expect.poll(() => named('fault-navigated').length, PAST_DELAY).toBe(1);
    // The job ended with the alert above, so any retry it made is already in the log.
    expect(creates(site, TOKENS_PATH)).toHaveLength(1);
    expect(named('fault-navigated')).toHaveLength(1);
    expect(plain.requests().filter((r) => r.path.startsWith('/api/'))).toEqual([]);
    await expectNoLeak(ext, ...siteSecrets('fault-navigated'));
  });

  it('the tab closed mid-mint: the same sentence, and no second token', async () => {
    const { ext, site } = e2e;
    const tab = await signedInTab();
    const popup = await popupFor(tab);
    await expectReady(popup);
    site.inject({ method: 'POST', path: TOKENS_PATH, delayMs: CREATE_DELAY_MS });
    await clickGenerateAndWaitForCreate(popup, 'fault-closed');
    await tab.close();

    await expectPlainAlert(
      popup,
      `The tab left ${host()} while Tokenmint was making “fault-closed”, so GoodData may have made it without Tokenmint receiving its secret.`,
    );
    expect(await popup.getByRole('alert').textContent()).toContain('look for “fault-closed” in its token list');
    expect(await alerts(popup)).toHaveLength(1);

    await expect.poll(() => named('fault-closed').length, PAST_DELAY).toBe(1);
    // The job ended with the alert above, so any retry it made is already in the log.
    expect(creates(site, TOKENS_PATH)).toHaveLength(1);
    expect(named('fault-closed')).toHaveLength(1);

    // Another try on the closed tab is refused in words, and sends nothing.
    await generateButton(popup).click();
    await expect.poll(() => popup.getByRole('alert').textContent()).toContain('That tab is closed.');
    expect(creates(site, TOKENS_PATH)).toHaveLength(1);
    await expectNoLeak(ext, ...siteSecrets('fault-closed'));
  });
});

/** The mint message the popup sends, for `name` on the GoodData tab. */
function mintOrder(tabId: number, origin: string, siteId: string, name: string) {
  return { tabId, origin, siteId, name, description: '', scopes: [], groups: [], expiresInDays: null, replace: false };
}

/** Sends `count` identical mint messages at once from an extension page; returns every reply. */
function mintAtOnce(page: Page, order: ReturnType<typeof mintOrder>, count = 2): Promise<Reply<Reveal>[]> {
  return page.evaluate(
    ({ order, count }) =>
      Promise.all(Array.from({ length: count }, () => chrome.runtime.sendMessage({ kind: 'mint', payload: order }) as Promise<Reply<Reveal>>)),
    { order, count },
  );
}

/** The secret of a reply that must have succeeded. */
function secretOf(reply: Reply<Reveal> | undefined): string {
  if (!reply?.ok) throw new Error(`the mint failed: ${reply ? reply.error.sentence : 'no reply'}`);
  return reply.value.secret;
}

describe('GoodData: two mints at once', () => {
  it('two identical mint messages sent together make one token, and both answers carry its secret', async () => {
    const { ext, site } = e2e;
    const tabId = await ext.tabIdOf(await signedInTab());
    const popup = await ext.openPopup(tabId);
    await expectReady(popup);
    site.clearRequests();
    // Slow enough that the second message certainly arrives while the first is in flight.
    site.inject({ method: 'POST', path: TOKENS_PATH, delayMs: 800 });
    const replies = await mintAtOnce(popup, mintOrder(tabId, site.origin, 'gooddata', 'fault-twice'));
    const secrets = replies.map(secretOf);
    ext.noteSecret(...secrets);
    expect(secrets[0]).toBe(secrets[1]);
    expect(siteSecrets('fault-twice')).toEqual([secrets[0]]);
    expect(creates(site, TOKENS_PATH)).toHaveLength(1);
    await expectNoLeak(ext, ...secrets);
  });

  it('the same, with no delay on the site', async () => {
    const { ext, site } = e2e;
    const tabId = await ext.tabIdOf(await signedInTab());
    const popup = await ext.openPopup(tabId);
    await expectReady(popup);
    site.clearRequests();
    const replies = await mintAtOnce(popup, mintOrder(tabId, site.origin, 'gooddata', 'fault-twice-fast'), 3);
    const secrets = replies.map(secretOf);
    ext.noteSecret(...secrets);
    expect(new Set(secrets).size).toBe(1);
    expect(siteSecrets('fault-twice-fast')).toEqual([secrets[0]]);
    expect(creates(site, TOKENS_PATH)).toHaveLength(1);
    await expectNoLeak(ext, ...secrets);
  });

  it('a double click on Generate token makes one token and reveals it', async () => {
    const { ext, site } = e2e;
    const popup = await popupFor(await signedInTab());
    await expectReady(popup);
    site.inject({ method: 'POST', path: TOKENS_PATH, delayMs: 500 });
    site.clearRequests();
    await popup.getByRole('textbox', { name: 'Token name' }).fill('fault-dblclick');
    await generateButton(popup).dblclick();
    const secret = await ext.newToken(popup);
    // A second create would have gone out within milliseconds of the first, long before this reveal (its answer waits
    // 500 ms): the log is complete here.
    expect(siteSecrets('fault-dblclick')).toEqual([secret]);
    expect(creates(site, TOKENS_PATH)).toHaveLength(1);
    // No alert about a duplicate name: the second click joined the first or met a disabled button.
    expect(await alerts(popup)).toEqual([]);
    await expectNoLeak(ext, secret);
  });
});

describe('GoodData: a create that never answers, a session that expired', () => {
  it('a create that hangs ends after 15 s with a sentence saying so, and the popup works again', { timeout: 60_000 }, async () => {
    const { ext, site } = e2e;
    const popup = await popupFor(await signedInTab());
    await expectReady(popup);
    site.inject({ method: 'POST', path: TOKENS_PATH, hang: true });
    const started = Date.now();
    await clickGenerateAndWaitForCreate(popup, 'fault-hang');
    await expect.poll(() => popup.getByRole('alert').count(), { timeout: 30_000 }).toBe(1);
    const waited = Date.now() - started;
    await expectPlainAlert(popup, `${host()} did not answer within 15 seconds.`);
    expect(await alerts(popup)).toHaveLength(1);
    expect(waited).toBeGreaterThanOrEqual(14_500);
    expect(waited).toBeLessThan(25_000);
    // The list was asked (the create may have landed) and said no: nothing exists, nothing was sent twice.
    expect(named('fault-hang')).toHaveLength(0);
    expect(creates(site, TOKENS_PATH)).toHaveLength(1);
    expect(site.requests().some((r) => r.method === 'GET' && r.path === `${TOKENS_PATH}/fault-hang`)).toBe(true);

    // Usable again: the same name now mints, once.
    expect(await generateButton(popup).isEnabled()).toBe(true);
    await generateButton(popup).click();
    const secret = await ext.newToken(popup);
    expect(siteSecrets('fault-hang')).toEqual([secret]);
    await expectNoLeak(ext, secret);
  });

  it('signed out in the tab after the popup showed the form: the alert has a Sign in link, and signing in there lets the mint go through', async () => {
    const { ext, site } = e2e;
    const tab = await signedInTab();
    const popup = await popupFor(tab);
    await expectReady(popup);
    const before = site.tokens('demo').length;
    // The session ends behind the popup's back, as when it expires.
    await tab.goto(`${site.origin}/logout`);
    await popup.getByRole('textbox', { name: 'Token name' }).fill('fault-expired');
    await generateButton(popup).click();

    await expectPlainAlert(popup, 'You are not signed in to GoodData.');
    const link = popup.getByRole('alert').getByRole('link', { name: 'Sign in' });
    expect(await link.getAttribute('href')).toBe(`${site.origin}${demo.signInPath}`);
    expect(site.tokens('demo')).toHaveLength(before);

    // The link opens the sign-in page in the site's tab; once signed in, Generate works.
    await link.click();
    await tab.waitForURL(/\/login/);
    await demo.signIn(tab, site.origin, demo.logins[0]!);
    await generateButton(popup).click();
    const secret = await ext.newToken(popup);
    expect(siteSecrets('fault-expired')).toEqual([secret]);
    expect(site.tokens('demo')).toHaveLength(before + 1);
    await expectNoLeak(ext, secret);
  });

  it('cookies cleared after the popup showed the form: the same alert', async () => {
    const { ext, site } = e2e;
    const popup = await popupFor(await signedInTab());
    await expectReady(popup);
    const before = site.tokens('demo').length;
    await ext.context.clearCookies();
    await popup.getByRole('textbox', { name: 'Token name' }).fill('fault-cookies');
    await generateButton(popup).click();
    await expectPlainAlert(popup, 'You are not signed in to GoodData.');
    expect(await popup.getByRole('alert').getByRole('link', { name: 'Sign in' }).count()).toBe(1);
    expect(site.tokens('demo')).toHaveLength(before);
    await expectNoLeak(ext);
  });
});

// Insight.io tokens have no name: every create makes one more token, so a double mint would really make two, and
// after a restart the list cannot be asked by name.
describe('Insight.io: nameless tokens', () => {
  const JANE = 'userpass@jane@example.com';
  const TOKEN_PATH = '/api/token';
  let insight: InsightIoSite;

  beforeAll(async () => {
    insight = await startInsightIo();
  });

  afterAll(async () => {
    await insight?.close();
  });

  afterEach(() => {
    insight.clearFaults();
  });

  async function signedInInsight(): Promise<Page> {
    const tab = await e2e.ext.context.newPage();
    await tab.goto(`${insight.origin}${insightDemo.signInPath}`);
    await insightDemo.signIn(tab, insight.origin, insightDemo.logins[0]!);
    return tab;
  }

  const janeTokens = () => insight.tokens(JANE).map((token) => token.apiToken);

  it('two mints sent at once make one token, not two', async () => {
    const { ext } = e2e;
    const tabId = await ext.tabIdOf(await signedInInsight());
    const popup = await ext.openPopup(tabId);
    await expectReady(popup);
    const before = janeTokens();
    insight.clearRequests();
    insight.inject({ method: 'POST', path: TOKEN_PATH, delayMs: 800 });
    const replies = await mintAtOnce(popup, mintOrder(tabId, insight.origin, 'insightio', ''));
    const secrets = replies.map(secretOf);
    ext.noteSecret(...secrets);
    expect(secrets[0]).toBe(secrets[1]);
    expect(janeTokens()).toEqual([...before, secrets[0]]);
    expect(creates(insight, TOKEN_PATH)).toHaveLength(1);
    await expectNoLeak(ext, ...secrets);
  });

  it('worker stopped mid-mint: the reopened popup says a token may have been made, and a new mint makes exactly one more', async () => {
    const { ext } = e2e;
    const tabId = await ext.tabIdOf(await signedInInsight());
    const popup = await ext.openPopup(tabId);
    await expectReady(popup);
    const before = janeTokens();
    insight.clearRequests();
    insight.inject({ method: 'POST', path: TOKEN_PATH, delayMs: CREATE_DELAY_MS });
    await generateButton(popup).click();
    await expect.poll(() => creates(insight, TOKEN_PATH).length, { timeout: 5000 }).toBe(1);
    await ext.stopWorker();
    await expect.poll(() => janeTokens().length, PAST_DELAY).toBe(before.length + 1);
    const orphan = janeTokens().at(-1)!;
    ext.noteSecret(orphan);

    const reopened = await ext.openPopup(tabId);
    await expectPlainAlert(reopened, 'Tokenmint was restarted while making a token; Insight.io may have made it without Tokenmint receiving its secret.');
    expect(await alerts(reopened)).toHaveLength(1);
    expect(creates(insight, TOKEN_PATH)).toHaveLength(1);

    const secret = await generate(reopened);
    expect(janeTokens()).toEqual([...before, orphan, secret]);
    await expectNoLeak(ext, secret, orphan);
  });

  it('the tab navigated mid-mint: the sentence speaks of “the token”, and nothing is retried', async () => {
    const { ext } = e2e;
    const tab = await signedInInsight();
    const popup = await popupFor(tab);
    await expectReady(popup);
    const before = janeTokens();
    insight.clearRequests();
    insight.inject({ method: 'POST', path: TOKEN_PATH, delayMs: CREATE_DELAY_MS });
    await generateButton(popup).click();
    await expect.poll(() => creates(insight, TOKEN_PATH).length, { timeout: 5000 }).toBe(1);
    await tab.goto(`${plain.origin}/`);
    const insightHost = new URL(insight.origin).host;
    await expectPlainAlert(
      popup,
      `The tab left ${insightHost} while Tokenmint was making the token, so Insight.io may have made it without Tokenmint receiving its secret.`,
    );
    await expect.poll(() => janeTokens().length, PAST_DELAY).toBe(before.length + 1);
    // The job ended with the alert above, so any retry it made is already in the log.
    expect(creates(insight, TOKEN_PATH)).toHaveLength(1);
    expect(janeTokens()).toHaveLength(before.length + 1);
    await expectNoLeak(ext, ...janeTokens());
  });
});
