import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { startCds, type CdsSite } from '../sites/cds.ts';
import { launchExtension, type Extension } from './extension.ts';

const CONSUMERS = '/cdsapi/user/jdoe/auth/consumer';
const NS_PER_DAY = 86_400_000_000_000n;

let site: CdsSite;
let ext: Extension;

beforeAll(async () => {
  [site, ext] = await Promise.all([startCds(), launchExtension()]);
});

afterAll(async () => {
  await ext?.close();
  await site?.close();
});

afterEach(async () => {
  site.clearFaults();
  site.clearRequests();
  for (const page of ext.context.pages()) await page.close();
  await ext.reset();
});

async function signInOn(tab: Page, user = 'jdoe', password = 'jdoe123'): Promise<void> {
  await tab.getByLabel('Username').fill(user);
  await tab.getByLabel('Password').fill(password);
  await tab.getByRole('button', { name: 'Sign in' }).click();
  await tab.waitForURL(`${site.origin}/`);
}

/** Signs in on the emulated site through its own sign-in form, in a tab of the browser. */
async function signedInTab(): Promise<Page> {
  const tab = await ext.context.newPage();
  await tab.goto(`${site.origin}/auth/signin`);
  await signInOn(tab);
  return tab;
}

async function popupFor(tab: Page): Promise<Page> {
  return ext.openPopup(await ext.tabIdOf(tab));
}

async function generate(popup: Page): Promise<string> {
  await popup.getByRole('button', { name: 'Generate token' }).click();
  const token = popup.getByRole('textbox', { name: 'New token' });
  await expect.poll(() => token.count()).toBe(1);
  return token.inputValue();
}

/** Uses the sign-in token on its own, from outside the browser: who it signs in as. */
async function signinWith(token: string): Promise<{ status: number; username?: string }> {
  const response = await fetch(`${site.origin}/cdsapi/auth/consumer/builtin/signin`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ token }),
  });
  if (response.status !== 200) return { status: response.status };
  return { status: 200, username: ((await response.json()) as { user: { username: string } }).user.username };
}

const createRequests = () => site.requests().filter((r) => r.method === 'POST' && r.path === CONSUMERS);
/** The emulated site lives through the whole file: each test looks at the tokens of its own name. */
const named = (name: string) => site.tokens('jdoe').filter((t) => t.name === name);

describe('popup on CDS', () => {
  test('mints a sign-in token with scopes, a group and an expiry that works, copies it, and keeps it out of logs and plain storage', async () => {
    const popup = await popupFor(await signedInTab());
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

    await popup.getByRole('button', { name: 'Copy' }).click();
    await expect.poll(() => popup.getByRole('status').textContent()).toContain('Copied');
    expect(await popup.evaluate(() => navigator.clipboard.readText())).toBe(secret);

    // The log check can see the worker's console at all (else "no secret there" would prove nothing).
    await ext.worker.evaluate(() => console.info('tokenmint-console-probe'));
    await expect.poll(() => ext.consoleLines.includes('tokenmint-console-probe')).toBe(true);
    expect(ext.consoleLines.join('\n')).not.toContain(secret);
    expect(await ext.storageText('local')).not.toContain(secret);
    expect(await ext.storageText('sync')).not.toContain(secret);
    expect(await ext.storageText('session')).toContain(secret);

    await popup.getByRole('button', { name: 'Done' }).click();
    await expect.poll(() => popup.getByRole('button', { name: 'Generate token' }).count()).toBe(1);
    expect(await ext.storageText('session')).not.toContain(secret);
  });

  test('a signed-out tab gets an alert with a Sign in link that leads back to minting', async () => {
    const tab = await ext.context.newPage();
    await tab.goto(`${site.origin}/`);
    const popup = await popupFor(tab);
    const alert = popup.getByRole('alert');
    await expect.poll(() => alert.textContent()).toContain('You are not signed in to CDS.');
    const link = alert.getByRole('link', { name: 'Sign in' });
    expect(await link.getAttribute('href')).toBe(`${site.origin}/auth/signin`);
    expect(await popup.getByRole('button', { name: 'Generate token' }).count()).toBe(0);

    await link.click();
    await tab.waitForURL(`${site.origin}/auth/signin`);
    await signInOn(tab);
    await popup.reload();
    await expect.poll(() => popup.getByRole('button', { name: 'Generate token' }).count()).toBe(1);
  });

  test('a server error on create is one plain sentence, and a retry then works without a second token', async () => {
    const popup = await popupFor(await signedInTab());
    site.inject({ method: 'POST', path: CONSUMERS, status: 500, contentType: 'text/html', body: '<html><body>Oops</body></html>' });
    await popup.getByRole('textbox', { name: 'Token name' }).fill('e2e-retry');
    await popup.getByRole('button', { name: 'Generate token' }).click();
    const alert = popup.getByRole('alert');
    await expect.poll(() => alert.textContent()).toContain('CDS had a server error (500).');
    expect(await alert.textContent()).not.toMatch(/Error:|at \w+ \(|undefined/);
    expect(named('e2e-retry')).toEqual([]);

    const secret = await generate(popup);
    expect(named('e2e-retry').map((t) => t.signinToken)).toEqual([secret]);
    expect(createRequests()).toHaveLength(2);
  });

  test('an XSRF refusal is recovered in the tab with one read and one retry', async () => {
    const popup = await popupFor(await signedInTab());
    await expect.poll(() => popup.getByRole('button', { name: 'Generate token' }).count()).toBe(1);
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
