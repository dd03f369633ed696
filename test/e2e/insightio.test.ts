import { afterEach, describe, expect, test } from 'vitest';
import { demo, startInsightIo } from '../sites/insightio.ts';
import { copied, expectHeldUntilDone, expectNoLeak, expectPlainAlert, generate, useE2e } from './kit.ts';

const JANE = 'userpass@jane@example.com';
const TOKEN_PATH = '/api/token';

const e2e = useE2e(startInsightIo, demo);
const { signedInTab, popupFor } = e2e;
const janeTokens = () => e2e.site.tokens(JANE).map((t) => t.apiToken);

// Each test starts with no tokens: revoked through the site's own API, as a user would (before the kit's clean-up,
// which forgets these requests too).
afterEach(async () => {
  for (const token of janeTokens()) await fetch(`${e2e.site.origin}${TOKEN_PATH}`, { method: 'DELETE', headers: { 'X-Auth-Token': token } });
  expect(janeTokens()).toEqual([]);
});

function profileWith(token: string): Promise<Response> {
  return fetch(`${e2e.site.origin}/api/user/profile`, { headers: { 'X-Auth-Token': token, Accept: 'application/json' } });
}

describe('popup on Insight.io', () => {
  test('mints a token that works, copies it, and keeps it out of logs and plain storage', async () => {
    const popup = await popupFor(await signedInTab());
    const { site, ext } = e2e;
    await expect.poll(() => popup.getByText('Signed in as').textContent()).toContain('Jane Doe');
    await expect.poll(() => popup.getByRole('heading', { name: 'Insight.io' }).count()).toBe(1);
    // Tokens have no name and no scopes here: Generate token is all there is.
    expect(await popup.getByRole('textbox', { name: 'Token name' }).count()).toBe(0);
    expect(await popup.getByRole('checkbox').count()).toBe(0);

    site.clearRequests();
    const secret = await generate(popup);
    expect(secret).toMatch(/^[0-9a-f]{256}$/);
    expect(janeTokens()).toEqual([secret]);
    // The reveal names the token by its masked value only.
    await expect.poll(() => popup.getByRole('heading', { name: `Token “${secret.slice(0, 4)}…${secret.slice(-4)}” is ready` }).count()).toBe(1);

    // It authenticates on its own, as X-Auth-Token.
    const profile = await profileWith(secret);
    expect(profile.status).toBe(200);
    expect(((await profile.json()) as { uid: string }).uid).toBe(JANE);

    // The create went out from inside the tab: the site's own Origin and session cookie, as its UI would send.
    const creates = site.requests().filter((r) => r.method === 'POST' && r.path === TOKEN_PATH);
    expect(creates).toHaveLength(1);
    expect(creates[0]?.headers.origin).toBe(site.origin);
    expect(creates[0]?.headers.cookie).toMatch(/(^|; )id=/);
    expect(creates[0]?.headers['x-requested-with']).toBe('XMLHttpRequest');

    expect(await copied(popup, 'Copy', 'Copied')).toBe(secret);

    await expectNoLeak(ext, secret);
    await expectHeldUntilDone(ext, popup, secret);
  });

  test('a signed-out tab gets an alert with a Sign in link', async () => {
    await e2e.expectSignInFromAlert('not signed in to Insight.io', `${e2e.site.origin}/login`);
    expect(janeTokens()).toEqual([]);
  });

  test('a server error on create is one plain sentence, and a retry then works without a second token', async () => {
    const popup = await popupFor(await signedInTab());
    const { site } = e2e;
    site.inject({ method: 'POST', path: TOKEN_PATH, status: 500, contentType: 'text/html', body: '<html><body>Oops</body></html>' });
    await popup.getByRole('button', { name: 'Generate token' }).click();
    await expectPlainAlert(popup, 'Insight.io had a server error (500).');
    expect(janeTokens()).toEqual([]);

    const secret = await generate(popup);
    expect(janeTokens()).toEqual([secret]);
    expect(site.requests().filter((r) => r.method === 'POST' && r.path === TOKEN_PATH)).toHaveLength(2);
  });

  test('a popup closed mid-mint shows the token when it is opened again, and only one is made', async () => {
    const tab = await signedInTab();
    const popup = await popupFor(tab);
    e2e.site.inject({ method: 'POST', path: TOKEN_PATH, delayMs: 1500 });
    await popup.getByRole('button', { name: 'Generate token' }).click();
    await expect.poll(() => popup.getByRole('progressbar').count()).toBe(1);
    await popup.close();

    await expect.poll(() => janeTokens().length, { timeout: 10_000 }).toBe(1);
    const reopened = await popupFor(tab);
    expect(await e2e.ext.newToken(reopened)).toBe(janeTokens()[0]);
    expect(janeTokens()).toHaveLength(1);
  });
});
