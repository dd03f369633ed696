import { describe, expect, test } from 'vitest';
import { demo, startFrappe } from '../sites/frappe.ts';
import { copied, expectHeldUntilDone, expectNoLeak, expectPlainAlert, expectReady, generate, useE2e } from './kit.ts';

const GENERATE = '/api/method/frappe.core.doctype.user.user.generate_keys';
const JANE = 'jane@example.com';
const SAM = 'sam@example.com';

// A fresh site per test: a minted pair is the user's one pair, so a test must not inherit another's.
const e2e = useE2e(startFrappe, demo, { sitePerTest: true });
const { signedInTab, popupFor } = e2e;

/** Who the pair authenticates as on its own (no cookies), or the status it was refused with. */
async function whoIs(pair: string): Promise<string | number> {
  const response = await fetch(`${e2e.site.origin}/api/method/frappe.auth.get_logged_user`, {
    headers: { Authorization: `token ${pair}`, Accept: 'application/json' },
  });
  return response.status === 200 ? ((await response.json()) as { message: string }).message : response.status;
}

describe('popup on Frappe', () => {
  test('a user without a key mints a pair that works, with no consent asked; copy, logs and storage', async () => {
    const popup = await popupFor(await signedInTab());
    const { site, ext } = e2e;
    await expect.poll(() => popup.getByText('Signed in as').textContent()).toContain('Jane Doe');
    await expect.poll(() => popup.getByRole('heading', { name: 'Frappe' }).count()).toBe(1);
    await expectReady(popup);
    expect(await popup.getByRole('checkbox', { name: 'Replace the existing secret' }).count()).toBe(0);
    expect(await popup.getByRole('textbox', { name: 'Token name' }).count()).toBe(0);
    expect(await popup.getByRole('button', { name: 'Generate token' }).isEnabled()).toBe(true);

    site.clearRequests();
    const secret = await generate(popup);

    // Exactly the pair the site holds, and it authenticates on its own.
    const keys = site.keys(JANE)!;
    expect(secret).toBe(`${keys.apiKey}:${keys.apiSecret}`);
    expect(await whoIs(secret)).toBe(JANE);
    expect(site.generations(JANE)).toBe(1);

    // The POST went out from inside the tab: the site's Origin, its session cookie and the desk's CSRF token.
    const post = site.requests().find((r) => r.method === 'POST' && r.path === GENERATE);
    expect(post?.headers.origin).toBe(site.origin);
    expect(post?.headers.cookie).toMatch(/(^|; )sid=[0-9a-f]{56}/);
    expect(post?.headers['x-frappe-csrf-token']).toMatch(/^[0-9a-f]{56}$/);
    expect(post?.body).toBe('user=jane%40example.com');

    expect(await copied(popup, 'Copy', 'Copied')).toBe(secret);
    expect(await copied(popup, 'Authorization header', 'Authorization')).toBe(`Authorization: token ${secret}`);

    // The pair, and its secret half on its own.
    await expectNoLeak(ext, secret, keys.apiSecret);
    await expectHeldUntilDone(ext, popup, secret, keys.apiSecret);
  });

  test('a user with a key must tick Replace the existing secret; then the old secret stops working', async () => {
    const { site } = e2e;
    const old = site.keys(SAM)!;
    expect(await whoIs(`${old.apiKey}:${old.apiSecret}`)).toBe(SAM);
    const popup = await popupFor(await signedInTab({ user: SAM, password: 'sam123' }));
    const replace = popup.getByRole('checkbox', { name: 'Replace the existing secret' });
    await expect.poll(() => replace.count()).toBe(1);
    await expect.poll(() => popup.getByText('stops working at once').count()).toBe(1);
    const button = popup.getByRole('button', { name: 'Generate token' });
    expect(await button.isDisabled()).toBe(true);

    await replace.check();
    await expect.poll(() => button.isEnabled()).toBe(true);
    const secret = await generate(popup);

    expect(secret).toBe(`${old.apiKey}:${site.keys(SAM)!.apiSecret}`);
    expect(await whoIs(secret)).toBe(SAM);
    expect(await whoIs(`${old.apiKey}:${old.apiSecret}`)).toBe(403); // v15: a wrong secret runs as Guest
    expect(site.generations(SAM)).toBe(2);
  });

  test('a signed-out tab gets an alert with a Sign in link that leads back to minting', async () => {
    const popup = await e2e.expectSignInFromAlert('You are not signed in to Frappe.', /\/login\?redirect-to=/);
    expect(await popup.getByRole('button', { name: 'Generate token' }).isEnabled()).toBe(true);
  });

  test('a server error is one plain sentence, and a retry then works with one key pair only', async () => {
    const popup = await popupFor(await signedInTab());
    await expectReady(popup);
    const { site } = e2e;
    site.inject({ method: 'POST', path: GENERATE, status: 500, contentType: 'text/html', body: '<html><body>Internal Server Error</body></html>' });
    await popup.getByRole('button', { name: 'Generate token' }).click();
    await expectPlainAlert(popup, 'Frappe had a server error (500).', /Error:|at \w+ \(|undefined|exc_type/);
    expect(site.keys(JANE)).toBeNull();

    const secret = await generate(popup);
    expect(site.generations(JANE)).toBe(1);
    expect(secret).toBe(`${site.keys(JANE)!.apiKey}:${site.keys(JANE)!.apiSecret}`);
    expect(await whoIs(secret)).toBe(JANE);
  });

  test('a user without System Manager is told so before trying, in plain words', async () => {
    const popup = await popupFor(await signedInTab({ user: 'victor@example.com', password: 'victor123' }));
    const alert = popup.getByRole('alert');
    await expect.poll(() => alert.textContent()).toContain('Only Frappe users with the System Manager role can generate API keys');
    expect(await alert.textContent()).not.toContain('PermissionError');
    expect(await popup.getByRole('button', { name: 'Generate token' }).isDisabled()).toBe(true);
    expect(e2e.site.generations('victor@example.com')).toBe(0);
  });
});
