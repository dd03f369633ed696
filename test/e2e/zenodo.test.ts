import { describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { demo, startZenodo } from '../sites/zenodo.ts';
import { copied, expectNoLeak, expectPlainAlert, expectReady, generate, useE2e } from './kit.ts';

const SETTINGS = '/account/settings/applications/';
const NEW_TOKEN = `${SETTINGS}tokens/new/`;
const DEMO = 'demo@example.org';

const e2e = useE2e(startZenodo, demo);
const { popupFor } = e2e;

/** Signs in as demo in a new tab, which lands where the sign-in page's `next` leads: the applications settings. */
async function signedInTab(): Promise<Page> {
  const tab = await e2e.signedInTab();
  expect(new URL(tab.url()).pathname).toBe(SETTINGS);
  return tab;
}

function me(secret: string): Promise<Response> {
  return fetch(`${e2e.site.origin}/api/me`, { headers: { Authorization: `Bearer ${secret}`, Accept: 'application/json' } });
}

describe('popup on Zenodo', () => {
  test('mints a scoped token that works, copies it, and keeps it out of logs and plain storage', async () => {
    const popup = await popupFor(await signedInTab());
    const { site, ext } = e2e;
    await expect.poll(() => popup.getByText('Signed in as').textContent()).toContain(DEMO);
    await expect.poll(() => popup.getByRole('heading', { name: 'Zenodo' }).count()).toBe(1);
    expect(await popup.getByRole('textbox', { name: 'Token name' }).inputValue()).toMatch(/^tokenmint-\d{8}-[a-z0-9]{4}$/);

    // The scopes are the form's, with the documented defaults ticked.
    const scope = (id: string) => popup.getByRole('checkbox', { name: id, exact: true });
    expect(await scope('deposit:write').isChecked()).toBe(true);
    expect(await scope('deposit:actions').isChecked()).toBe(true);
    expect(await scope('user:email').isChecked()).toBe(false);
    await scope('deposit:actions').uncheck();
    await scope('user:email').check();

    site.clearRequests();
    const secret = await generate(popup, 'e2e-works');

    // The token is the one the site made, with the chosen scopes, and it authenticates on its own.
    const made = site.tokens(DEMO).filter((t) => t.name === 'e2e-works');
    expect(made.map((t) => [t.scopes, t.accessToken])).toEqual([[['deposit:write', 'user:email'], secret]]);
    const answer = await me(secret);
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as { email: string }).email).toBe(DEMO);

    // The form went out from inside the tab, with the session cookie and the site's own Origin, as a person's would.
    const create = site.requests().find((r) => r.method === 'POST' && r.path === NEW_TOKEN);
    expect(create?.headers.origin).toBe(site.origin);
    expect(create?.headers.cookie).toMatch(/(^|; )session=/);
    expect(create?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(new URLSearchParams(create?.body).getAll('scopes')).toEqual(['deposit:write', 'user:email']);
    // The browser hides where the create redirected to: the list shows the new id, then its page the secret, once.
    const sequence = site.requests().map((r) => `${r.method} ${r.path}`);
    const at = sequence.indexOf(`POST ${NEW_TOKEN}`);
    expect(sequence.slice(at + 1, at + 3)).toEqual([`GET ${SETTINGS}`, `GET ${SETTINGS}tokens/${made[0]?.id}/`]);

    expect(await copied(popup, 'Copy', 'Copied')).toBe(secret);

    await expectNoLeak(ext, secret);
  });

  test('a signed-out tab gets an alert with a Sign in link to the login page', async () => {
    await e2e.expectSignInFromAlert('You are not signed in to Zenodo.', /\/login\//);
  });

  test('a server error on create is one plain sentence, and a retry then works without a second token', async () => {
    const popup = await popupFor(await signedInTab());
    const { site } = e2e;
    site.inject({ method: 'POST', path: NEW_TOKEN, status: 500, contentType: 'text/html', body: '<html><body>Internal Server Error</body></html>' });
    await popup.getByRole('textbox', { name: 'Token name' }).fill('e2e-retry');
    await popup.getByRole('button', { name: 'Generate token' }).click();
    await expectPlainAlert(popup, 'Zenodo had a server error (500).');
    expect(site.tokens(DEMO).filter((t) => t.name === 'e2e-retry')).toEqual([]);

    const secret = await generate(popup);
    const made = site.tokens(DEMO).filter((t) => t.name === 'e2e-retry');
    expect(made.map((t) => t.accessToken)).toEqual([secret]);
  });

  test('a CSRF failure is retried once with a fresh form, in the browser too', async () => {
    const popup = await popupFor(await signedInTab());
    await expectReady(popup);
    const { site } = e2e;
    site.clearRequests();
    // The first create is held long enough for its csrf_token to go stale, as after the one-hour limit.
    site.inject({ method: 'POST', path: NEW_TOKEN, delayMs: 500 });
    await popup.getByRole('textbox', { name: 'Token name' }).fill('e2e-csrf');
    await popup.getByRole('button', { name: 'Generate token' }).click();
    await expect.poll(() => site.requests().filter((r) => r.method === 'POST').length, { interval: 10 }).toBe(1);
    site.expireCsrfTokens();

    const box = popup.getByRole('textbox', { name: 'New token' });
    await expect.poll(() => box.count(), { timeout: 5000 }).toBe(1);
    const posts = site.requests().filter((r) => r.method === 'POST' && r.path === NEW_TOKEN);
    expect(posts).toHaveLength(2);
    expect(new URLSearchParams(posts[0]!.body).get('csrf_token')).not.toBe(new URLSearchParams(posts[1]!.body).get('csrf_token'));
    const made = site.tokens(DEMO).filter((t) => t.name === 'e2e-csrf');
    expect(made.map((t) => t.accessToken)).toEqual([await e2e.ext.newToken(popup)]);
  });

  test('a name over 40 characters is caught before sending', async () => {
    const popup = await popupFor(await signedInTab());
    const name = popup.getByRole('textbox', { name: 'Token name' });
    expect(await name.getAttribute('maxlength')).toBe('40');
    await name.fill('   ');
    await expect.poll(() => popup.getByText('Use at least one character that is not a space.').count()).toBe(1);
    expect(await popup.getByRole('button', { name: 'Generate token' }).isDisabled()).toBe(true);
  });
});
