import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { demo, startGoodData } from '../sites/gooddata.ts';
import { html, startSite, type Site } from '../sites/harness.ts';
import { copied, expectHeldUntilDone, expectNoLeak, expectPlainAlert, generate, useE2e } from './kit.ts';

const TOKENS_PATH = '/api/v1/entities/users/demo/apiTokens';

const e2e = useE2e(startGoodData, demo);
const { signedInTab, popupFor } = e2e;
/** A site no adapter knows. */
let plain: Site;

beforeAll(async () => {
  plain = await startSite(() => html(200, '<!doctype html><title>Plain</title><h1>Just a page</h1>'));
});

afterAll(async () => {
  await plain?.close();
});

async function profileWith(bearer: string): Promise<Response> {
  return fetch(`${e2e.site.origin}/api/v1/profile`, {
    headers: { Authorization: `Bearer ${bearer}`, 'X-Requested-With': 'XMLHttpRequest', Accept: 'application/json' },
  });
}

describe('popup on GoodData', () => {
  test('mints a token that works, copies it, and keeps it out of logs and plain storage', async () => {
    const popup = await popupFor(await signedInTab());
    await expect.poll(() => popup.getByText('Signed in as').textContent()).toContain('Demo User');
    await expect.poll(() => popup.getByRole('heading', { name: 'GoodData' }).count()).toBe(1);
    const suggested = await popup.getByRole('textbox', { name: 'Token name' }).inputValue();
    expect(suggested).toMatch(/^tokenmint-\d{8}-[a-z0-9]{4}$/);

    const { site, ext } = e2e;
    site.clearRequests();
    const secret = await generate(popup, 'e2e-works');

    // The token is the one the site made, and it authenticates on its own.
    expect(site.tokens('demo').map((t) => [t.id, t.bearerToken])).toContainEqual(['e2e-works', secret]);
    const profile = await profileWith(secret);
    expect(profile.status).toBe(200);
    expect(((await profile.json()) as { userId: string }).userId).toBe('demo');

    // The create went out from inside the tab: the site's own Origin and session cookie, as its UI would send.
    const create = site.requests().find((r) => r.method === 'POST' && r.path === TOKENS_PATH);
    expect(create?.headers.origin).toBe(site.origin);
    expect(create?.headers.cookie).toContain('SPRING_SEC_SECURITY_CONTEXT=');
    expect(create?.headers['x-requested-with']).toBe('XMLHttpRequest');
    expect(JSON.parse(create?.body ?? '{}')).toEqual({ data: { id: 'e2e-works', type: 'apiToken' } });

    expect(await copied(popup, 'Copy', 'Copied')).toBe(secret);
    expect(await copied(popup, 'Authorization header', 'Authorization')).toBe(`Authorization: Bearer ${secret}`);

    await expectNoLeak(ext, secret);
    await expectHeldUntilDone(ext, popup, secret);
  });

  test('a signed-out tab gets an alert with a Sign in link', async () => {
    // The link leads to /appLogin, which sends the tab on to /login.
    await e2e.expectSignInFromAlert('not signed in to GoodData', /\/login/);
  });

  test('a server error on create is one plain sentence, and a retry then works without a second token', async () => {
    const popup = await popupFor(await signedInTab());
    const { site } = e2e;
    site.inject({ method: 'POST', path: TOKENS_PATH, status: 500, contentType: 'text/html', body: '<html><body>Oops</body></html>' });
    await popup.getByRole('textbox', { name: 'Token name' }).fill('e2e-retry');
    await popup.getByRole('button', { name: 'Generate token' }).click();
    await expectPlainAlert(popup, 'GoodData had a server error (500).');
    expect(site.tokens('demo').filter((t) => t.id === 'e2e-retry')).toHaveLength(0);

    await popup.getByRole('button', { name: 'Generate token' }).click();
    const secret = await e2e.ext.newToken(popup);
    expect(site.tokens('demo').filter((t) => t.id === 'e2e-retry').map((t) => t.bearerToken)).toEqual([secret]);
  });

  test('a popup closed mid-mint shows the token when it is opened again', async () => {
    const tab = await signedInTab();
    const popup = await popupFor(tab);
    const { site } = e2e;
    site.inject({ method: 'POST', path: TOKENS_PATH, delayMs: 1500 });
    await popup.getByRole('textbox', { name: 'Token name' }).fill('e2e-reopen');
    await popup.getByRole('button', { name: 'Generate token' }).click();
    await expect.poll(() => popup.getByRole('progressbar').count()).toBe(1);
    expect(await popup.getByRole('button', { name: 'Generating…' }).isDisabled()).toBe(true);
    await popup.close();

    await expect.poll(() => site.tokens('demo').some((t) => t.id === 'e2e-reopen'), { timeout: 10_000 }).toBe(true);
    const reopened = await popupFor(tab);
    const shown = await e2e.ext.newToken(reopened);
    expect(shown).toBe(site.tokens('demo').find((t) => t.id === 'e2e-reopen')?.bearerToken);
  });

  test('a token not yet dismissed survives the service worker being stopped', async () => {
    const { ext } = e2e;
    const tabId = await ext.tabIdOf(await signedInTab());
    const secret = await generate(await ext.openPopup(tabId), 'e2e-restart');
    await ext.stopWorker();
    const reopened = await ext.openPopup(tabId);
    expect(await e2e.ext.newToken(reopened)).toBe(secret);
    expect(await ext.workerIsFresh()).toBe(true);
  });

  test('a duplicate name is refused with a next step, and nothing else is made', async () => {
    const popup = await popupFor(await signedInTab());
    await generate(popup, 'e2e-twice');
    await popup.getByRole('button', { name: 'Done' }).click();
    await popup.getByRole('textbox', { name: 'Token name' }).fill('e2e-twice');
    await popup.getByRole('button', { name: 'Generate token' }).click();
    await expect.poll(() => popup.getByRole('alert').textContent()).toContain('already have a GoodData token named “e2e-twice”');
    expect(await popup.getByRole('alert').textContent()).toContain('Pick another name.');
    expect(e2e.site.tokens('demo').filter((t) => t.id === 'e2e-twice')).toHaveLength(1);
  });

  test('a name the site would refuse is caught before sending', async () => {
    const popup = await popupFor(await signedInTab());
    await popup.getByRole('textbox', { name: 'Token name' }).fill('has space');
    await expect.poll(() => popup.getByText('Use only letters, digits').count()).toBe(1);
    expect(await popup.getByRole('button', { name: 'Generate token' }).isDisabled()).toBe(true);
  });

  test('a user without the create permission is told so before trying', async () => {
    const popup = await popupFor(await signedInTab({ user: 'viewer', password: 'viewer123' }));
    await expect.poll(() => popup.getByRole('alert').textContent()).toContain('may not create API tokens');
    expect(await popup.getByRole('button', { name: 'Generate token' }).isDisabled()).toBe(true);
  });

  test('a site it does not know is said to be unsupported, with no Generate button', async () => {
    const tab = await e2e.ext.context.newPage();
    await tab.goto(`${plain.origin}/`);
    const popup = await popupFor(tab);
    await expect.poll(() => popup.getByRole('heading', { name: 'Not a supported site' }).count()).toBe(1);
    expect(await popup.getByRole('button', { name: 'Generate token' }).count()).toBe(0);
  });
});
