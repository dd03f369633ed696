import { beforeEach, describe, expect, test } from 'vitest';
import { demo, startNextcloud } from '../sites/nextcloud.ts';
import { copied, expectNoLeak, expectPlainAlert, generate, useE2e } from './kit.ts';
import { expectRecipePopup, keepAndFinish, openPanel, panelRow, revokeInPanel } from './recipe-kit.ts';
import { assignSite } from './site-override.ts';

const AUTH_TOKENS = '/index.php/settings/personal/authtokens';

const e2e = useE2e(startNextcloud, demo);
// The emulated site runs on 127.0.0.1, as a self-hosted install runs on a host of its own: assigned to the recipe.
beforeEach(() => assignSite(e2e.ext, e2e.site.origin, 'Nextcloud'));

const asToken = (secret: string) =>
  fetch(`${e2e.site.origin}/ocs/v2.php/cloud/user?format=json`, { headers: { Authorization: `Bearer ${secret}`, 'OCS-APIRequest': 'true' } });

describe('the built-in Nextcloud recipe', () => {
  test('mints an app password; it works as Bearer; kept in the vault, the panel lists it, verifies it and revokes it on the site', async () => {
    const tab = await e2e.signedInTab();
    const popup = await e2e.popupFor(tab);
    await expectRecipePopup(popup, 'Nextcloud', 'Jane Doe');

    const { site, ext } = e2e;
    site.clearRequests();
    const secret = await generate(popup, 'e2e-nextcloud');
    expect(site.appPasswords('jane').filter((p) => p.name === 'e2e-nextcloud').map((p) => p.token)).toEqual([secret]);

    // The request token came from /index.php/csrftoken, fetched inside the tab with the session.
    const paths = site.requests().map((r) => `${r.method} ${r.path}`);
    expect(paths.indexOf('GET /index.php/csrftoken')).toBeLessThan(paths.indexOf(`POST ${AUTH_TOKENS}`));
    const create = site.requests().find((r) => r.method === 'POST' && r.path === AUTH_TOKENS);
    expect(create?.headers.requesttoken).toMatch(/^[A-Za-z0-9+/]+=*:[A-Za-z0-9+/]+=*$/);
    expect(JSON.parse(create?.body ?? '{}')).toEqual({ name: 'e2e-nextcloud' });

    expect(await copied(popup, 'Authorization header', 'Authorization')).toBe(`Authorization: Bearer ${secret}`);
    expect(((await (await asToken(secret)).json()) as { ocs: { data: { id: string } } }).ocs.data.id).toBe('jane');
    await expectNoLeak(ext, secret);

    // Nextcloud has no list endpoint: the panel shows what Tokenmint kept, and checks it against the site.
    await keepAndFinish(popup);
    const panel = await openPanel(ext, tab);
    const row = panelRow(panel, 'e2e-nextcloud');
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.textContent()).toContain(`${secret.slice(0, 4)}…${secret.slice(-4)}`);
    expect(await panel.content()).not.toContain(secret);
    await row.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => row.textContent()).toContain('valid (jane)');

    // Revoke reaches Nextcloud by the device id kept with the password, though no list ever showed it.
    const deviceId = site.appPasswords('jane').find((p) => p.name === 'e2e-nextcloud')?.id;
    site.clearRequests();
    await revokeInPanel(panel, 'e2e-nextcloud');
    expect(site.requests().filter((r) => r.method === 'DELETE').map((r) => r.path)).toEqual([`${AUTH_TOKENS}/${deviceId}`]);
    expect(site.appPasswords('jane').filter((p) => p.name === 'e2e-nextcloud')).toEqual([]);
    expect((await asToken(secret)).status).toBe(401);
  });

  test('a signed-out tab gets an alert with a Sign in link to Nextcloud’s login page', async () => {
    await e2e.expectSignInFromAlert('You are not signed in to Nextcloud.', /\/login/);
  });

  test('a password confirmation that has run out is said with Nextcloud’s words and the way back; nothing is made', async () => {
    const popup = await e2e.popupFor(await e2e.signedInTab());
    await expectRecipePopup(popup, 'Nextcloud', 'Jane Doe');
    e2e.site.expirePasswordConfirmation('jane');
    await popup.getByRole('textbox', { name: 'Token name' }).fill('e2e-late');
    await popup.getByRole('button', { name: 'Generate token' }).click();
    await expectPlainAlert(popup, 'Password confirmation is required');
    // Not "ask an admin": the recipe names this 403 as one the user fixes by signing in (or confirming) again.
    const alert = popup.getByRole('alert');
    expect(await alert.textContent()).toContain('Sign in again (or confirm your password in Nextcloud), then retry.');
    expect(await alert.getByRole('link', { name: 'Sign in' }).getAttribute('href')).toBe(`${e2e.site.origin}/login`);
    expect(e2e.site.appPasswords('jane').filter((p) => p.name === 'e2e-late')).toEqual([]);
  });
});
