import { beforeEach, describe, expect, test } from 'vitest';
import { CSRF_COOKIE, SESSION_COOKIE, demo, startSentry } from '../sites/sentry.ts';
import { copied, expectHeldUntilDone, expectNoLeak, expectPlainAlert, generate, useE2e } from './kit.ts';
import { expectRecipePopup, openPanel, revokeInPanel, tickedScopes } from './recipe-kit.ts';
import { assignSite } from './site-override.ts';

const JANE = 'jane@example.com';
const TOKENS = '/api/0/api-tokens/';

const e2e = useE2e(startSentry, demo);
// The emulated site runs on 127.0.0.1, as a self-hosted install runs on a host of its own: assigned to the recipe.
beforeEach(() => assignSite(e2e.ext, e2e.site.origin, 'Sentry'));

const asToken = (secret: string) => fetch(`${e2e.site.origin}/api/0/`, { headers: { Authorization: `Bearer ${secret}` } });

describe('the built-in Sentry recipe', () => {
  test('mints with the ticked scopes; the token works with its header; the panel lists and revokes it', async () => {
    const tab = await e2e.signedInTab();
    const popup = await e2e.popupFor(tab);
    await expectRecipePopup(popup, 'Sentry', 'Jane Doe');
    expect(await tickedScopes(popup, ['project:read', 'project:releases', 'event:read', 'org:read'])).toEqual(['project:read', 'event:read', 'org:read']);
    await popup.getByRole('checkbox', { name: 'project:releases', exact: true }).check();

    const { site, ext } = e2e;
    site.clearRequests();
    const secret = await generate(popup, 'e2e-sentry');
    const made = site.tokens(JANE).filter((t) => t.name === 'e2e-sentry');
    expect(made.map((t) => [t.token, [...t.scopes].sort()])).toEqual([[secret, ['event:read', 'org:read', 'project:read', 'project:releases']]]);

    // Made from inside the tab as Sentry's own settings page does: session, the sc cookie echoed, the page's Origin.
    const create = site.requests().find((r) => r.method === 'POST' && r.path === TOKENS);
    const cookies = Object.fromEntries((create?.headers.cookie ?? '').split('; ').map((c) => c.split('=') as [string, string]));
    expect(cookies[SESSION_COOKIE]).toBeTruthy();
    expect(create?.headers['x-csrftoken']).toBe(cookies[CSRF_COOKIE]);
    expect(create?.headers.origin).toBe(site.origin);

    expect(await copied(popup, 'Authorization header', 'Authorization')).toBe(`Authorization: Bearer ${secret}`);
    const index = (await (await asToken(secret)).json()) as { user: { username: string } };
    expect(index.user.username).toBe(JANE);
    await expectNoLeak(ext, secret);
    await expectHeldUntilDone(ext, popup, secret);

    const panel = await openPanel(ext, tab);
    await revokeInPanel(panel, 'e2e-sentry');
    expect(site.tokens(JANE).filter((t) => t.name === 'e2e-sentry')).toEqual([]);
    expect((await asToken(secret)).status).toBe(401);
  });

  test('a signed-out tab gets an alert with a Sign in link to Sentry’s login page', async () => {
    await e2e.expectSignInFromAlert('You are not signed in to Sentry.', /\/auth\/login\//);
  });

  test('a lost CSRF cookie is refused by Sentry and said in one sentence; nothing is made', async () => {
    const popup = await e2e.popupFor(await e2e.signedInTab());
    await expectRecipePopup(popup, 'Sentry', 'Jane Doe');
    await e2e.ext.context.clearCookies({ name: CSRF_COOKIE });
    await popup.getByRole('textbox', { name: 'Token name' }).fill('e2e-no-csrf');
    await popup.getByRole('button', { name: 'Generate token' }).click();
    await expectPlainAlert(popup, 'Sentry refused the request: its anti-forgery (CSRF) check did not accept it.');
    expect(e2e.site.tokens(JANE).filter((t) => t.name === 'e2e-no-csrf')).toEqual([]);
  });
});
