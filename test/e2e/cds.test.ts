import { describe, expect, test } from 'vitest';
import { demo, startCds } from '../sites/cds.ts';
import { copied, expectHeldUntilDone, expectNoLeak, expectPlainAlert, expectReady, generate, useE2e } from './kit.ts';

const CONSUMERS = '/cdsapi/user/jdoe/auth/consumer';
const NS_PER_DAY = 86_400_000_000_000n;

const e2e = useE2e(startCds, demo);
const { signedInTab, popupFor } = e2e;

/** Uses the sign-in token on its own, from outside the browser: who it signs in as. */
async function signinWith(token: string): Promise<{ status: number; username?: string }> {
  const response = await fetch(`${e2e.site.origin}/cdsapi/auth/consumer/builtin/signin`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ token }),
  });
  if (response.status !== 200) return { status: response.status };
  return { status: 200, username: ((await response.json()) as { user: { username: string } }).user.username };
}

const createRequests = () => e2e.site.requests().filter((r) => r.method === 'POST' && r.path === CONSUMERS);
/** The emulated site lives through the whole file: each test looks at the tokens of its own name. */
const named = (name: string) => e2e.site.tokens('jdoe').filter((t) => t.name === name);

describe('popup on CDS', () => {
  test('mints a sign-in token with scopes, a group and an expiry that works, copies it, and keeps it out of logs and plain storage', async () => {
    const popup = await popupFor(await signedInTab());
    const { site, ext } = e2e;
    await expect.poll(() => popup.getByText('Signed in as').textContent()).toContain('Jane Doe');
    expect(await popup.getByRole('heading', { name: 'CDS' }).count()).toBe(1);
    expect(await popup.getByRole('textbox', { name: 'Token name' }).inputValue()).toMatch(/^tokenmint-\d{8}-[a-z0-9]{4}$/);

    // The form the contract asks for: scopes by id (Project ticked), the user's groups, an expiry in days.
    expect(await popup.getByRole('checkbox', { name: 'Project', exact: true }).isChecked()).toBe(true);
    expect(await popup.getByRole('checkbox', { name: 'Run', exact: true }).isChecked()).toBe(false);
    expect(await popup.getByRole('checkbox', { name: 'team-b' }).count()).toBe(1);
    expect(await popup.getByRole('checkbox', { name: 'ops' }).count()).toBe(0);
    const days = popup.getByRole('spinbutton', { name: 'Expires in days' });
    expect(await days.inputValue()).toBe('15');

    await popup.getByRole('textbox', { name: 'Token name' }).fill('e2e-works');
    await popup.getByRole('textbox', { name: 'Description' }).fill('made by the e2e test');
    await popup.getByRole('checkbox', { name: 'Run', exact: true }).check();
    await popup.getByRole('checkbox', { name: 'team-a' }).check();
    await days.fill('365');
    site.clearRequests();
    const secret = await generate(popup);

    // The token is the one the site made, with what was chosen; 365 days arrive as an exact nanosecond integer.
    const [token, ...others] = named('e2e-works');
    expect(others).toEqual([]);
    expect(token).toMatchObject({
      name: 'e2e-works',
      description: 'made by the e2e test',
      signinToken: secret,
      durationNs: 365n * NS_PER_DAY,
      groupIds: [12],
      scopes: [{ scope: 'Project' }, { scope: 'Run' }],
    });
    expect(await signinWith(secret)).toEqual({ status: 200, username: 'jdoe' });

    // The create went out from inside the tab: the site's Origin, its session cookie, and the XSRF cookie echoed.
    const [create] = createRequests();
    expect(create?.headers.origin).toBe(site.origin);
    expect(create?.headers.cookie).toContain('jwt_token=');
    const xsrf = /(?:^|; )xsrf_token=([^;]+)/.exec(create?.headers.cookie ?? '')?.[1];
    expect(xsrf).toMatch(/^[0-9a-f]{32}$/);
    expect(create?.headers['x-xsrf-token']).toBe(xsrf);
    expect(create?.body).toContain(`"duration":${365n * NS_PER_DAY}`);

    expect(await copied(popup, 'Copy', 'Copied')).toBe(secret);

    await expectNoLeak(ext, secret);
    await expectHeldUntilDone(ext, popup, secret);
  });

  test('a signed-out tab gets an alert with a Sign in link that leads back to minting', async () => {
    await e2e.expectSignInFromAlert('You are not signed in to CDS.', `${e2e.site.origin}/auth/signin`);
  });

  test('a server error on create is one plain sentence, and a retry then works without a second token', async () => {
    const popup = await popupFor(await signedInTab());
    e2e.site.inject({ method: 'POST', path: CONSUMERS, status: 500, contentType: 'text/html', body: '<html><body>Oops</body></html>' });
    await popup.getByRole('textbox', { name: 'Token name' }).fill('e2e-retry');
    await popup.getByRole('button', { name: 'Generate token' }).click();
    await expectPlainAlert(popup, 'CDS had a server error (500).');
    expect(named('e2e-retry')).toEqual([]);

    const secret = await generate(popup);
    expect(named('e2e-retry').map((t) => t.signinToken)).toEqual([secret]);
    expect(createRequests()).toHaveLength(2);
  });

  test('an XSRF refusal is recovered in the tab with one read and one retry', async () => {
    const popup = await popupFor(await signedInTab());
    await expectReady(popup);
    const { site } = e2e;
    // The API's cache loses the session's XSRF token; the list before the create is answered by a proxy cache here,
    // so nothing renews the cookie before the create, which CDS then refuses for real.
    site.dropXsrf('jdoe');
    site.inject({ method: 'GET', path: CONSUMERS, status: 200, contentType: 'application/json', body: '[]' });
    site.clearRequests();
    await popup.getByRole('textbox', { name: 'Token name' }).fill('e2e-xsrf');
    const secret = await generate(popup);
    expect(named('e2e-xsrf').map((t) => t.signinToken)).toEqual([secret]);
    const paths = site.requests().map((r) => `${r.method} ${r.path}`);
    expect(paths.filter((p) => p === `POST ${CONSUMERS}` || p === 'GET /cdsapi/auth/me')).toEqual([
      `POST ${CONSUMERS}`,
      'GET /cdsapi/auth/me',
      `POST ${CONSUMERS}`,
    ]);
    const [first, retry] = createRequests();
    expect(retry?.headers['x-xsrf-token']).toBeTruthy();
    expect(retry?.headers['x-xsrf-token']).not.toBe(first?.headers['x-xsrf-token']);
  });
});
