import { beforeEach, describe, expect, test } from 'vitest';
import { SESSION_COOKIE, SETTINGS_PAGE, demo, startGitLab } from '../sites/gitlab.ts';
import { copied, expectHeldUntilDone, expectNoLeak, expectPlainAlert, generate, useE2e } from './kit.ts';
import { expectRecipePopup, keepAndFinish, openPanel, panelRow, revokeInPanel, tickedScopes } from './recipe-kit.ts';
import { assignSite } from './site-override.ts';

const JANE = 'jane.doe';

const e2e = useE2e(startGitLab, demo);
// The emulated site runs on 127.0.0.1, as a self-hosted install runs on a host of its own: assigned to the recipe.
beforeEach(() => assignSite(e2e.ext, e2e.site.origin, 'GitLab'));

const asToken = (secret: string) => fetch(`${e2e.site.origin}/api/v4/user`, { headers: { 'PRIVATE-TOKEN': secret } });
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

describe('the built-in GitLab recipe', () => {
  test('mints with scopes and an expiry; the token works as PRIVATE-TOKEN; the panel lists and revokes it', async () => {
    const tab = await e2e.signedInTab();
    const popup = await e2e.popupFor(tab);
    await expectRecipePopup(popup, 'GitLab', JANE);
    expect(await tickedScopes(popup, ['api', 'read_api', 'read_user'])).toEqual(['read_api']);
    await popup.getByRole('checkbox', { name: 'read_repository', exact: true }).check();
    await popup.getByRole('spinbutton', { name: 'Expires in days' }).fill('7');

    const { site, ext } = e2e;
    site.clearRequests();
    const secret = await generate(popup, 'e2e-gitlab');
    const [token, ...more] = site.tokens(JANE).filter((t) => t.name === 'e2e-gitlab');
    expect(more).toEqual([]);
    expect(token).toMatchObject({ token: secret, expiresAt: inDays(7) });
    expect([...token!.scopes].sort()).toEqual(['read_api', 'read_repository']);

    // The CSRF token came from the settings page's <meta name="csrf-token">, read inside the tab like GitLab's UI.
    const page = site.requests().find((r) => r.method === 'GET' && r.path === SETTINGS_PAGE);
    const create = site.requests().find((r) => r.method === 'POST' && r.path === SETTINGS_PAGE);
    expect(page?.headers.cookie).toContain(`${SESSION_COOKIE}=`);
    expect(create?.headers['x-csrf-token']).toMatch(/^[\w-]{86}$/);
    expect(create?.headers.origin).toBe(site.origin);

    expect(await copied(popup, 'PRIVATE-TOKEN header', 'PRIVATE-TOKEN')).toBe(`PRIVATE-TOKEN: ${secret}`);
    expect(((await (await asToken(secret)).json()) as { username: string }).username).toBe(JANE);
    await expectNoLeak(ext, secret);
    await expectHeldUntilDone(ext, popup, secret);

    // GitLab lists tokens by their numeric id; the revoke goes to the REST API with the session and CSRF token.
    const panel = await openPanel(ext, tab);
    await revokeInPanel(panel, 'e2e-gitlab');
    expect(site.tokens(JANE).find((t) => t.name === 'e2e-gitlab')?.revoked).toBe(true);
    expect((await asToken(secret)).status).toBe(401);
  });

  test('a token minted and saved is one row in the panel, both listed by GitLab and kept, and revokes from there', async () => {
    const tab = await e2e.signedInTab();
    const popup = await e2e.popupFor(tab);
    await expectRecipePopup(popup, 'GitLab', JANE);
    const { site, ext } = e2e;
    const secret = await generate(popup, 'e2e-kept');
    await keepAndFinish(popup);

    // The kept copy carries GitLab's numeric id (looked up in its list after the create), so it meets the listed token.
    const panel = await openPanel(ext, tab);
    const row = panelRow(panel, 'e2e-kept');
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.getByRole('cell').nth(1).textContent()).toBe('both');
    await row.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => row.textContent()).toContain('valid (2)');

    await revokeInPanel(panel, 'e2e-kept');
    expect(site.tokens(JANE).find((t) => t.name === 'e2e-kept')?.revoked).toBe(true);
    expect((await asToken(secret)).status).toBe(401);
    await expectNoLeak(ext, secret);
  });

  test('a signed-out tab gets an alert with a Sign in link to GitLab’s sign-in page', async () => {
    await e2e.expectSignInFromAlert('You are not signed in to GitLab.', /\/users\/sign_in/);
  });

  test('a create GitLab refuses (422) is one plain sentence with a next step; nothing is made', async () => {
    const popup = await e2e.popupFor(await e2e.signedInTab());
    await expectRecipePopup(popup, 'GitLab', JANE);
    e2e.site.inject({ method: 'POST', path: SETTINGS_PAGE, status: 422, contentType: 'application/json', body: JSON.stringify({ errors: ['Name has already been taken'] }) });
    await popup.getByRole('textbox', { name: 'Token name' }).fill('e2e-taken');
    await popup.getByRole('button', { name: 'Generate token' }).click();
    // GitLab's own words, from its {"errors": […]} answer.
    await expectPlainAlert(popup, 'GitLab refused the request: Name has already been taken.');
    expect(await popup.getByRole('alert').textContent()).toContain('Check the token’s name, scopes and expiry, then try again.');
    expect(e2e.site.tokens(JANE).filter((t) => t.name === 'e2e-taken')).toEqual([]);
  });
});
