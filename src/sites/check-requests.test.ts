import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { PageClient } from '../core/page-client.ts';
import type { PageRequest, PageResponse } from '../core/page-request.ts';
import { nodePageClient } from '../../test/unit/node-page-client.ts';
import { signIn, startCds, type CdsSite } from '../../test/sites/cds.ts';
import { cds, cdsAt } from './cds.ts';
import { frappe } from './frappe.ts';
import { gooddata } from './gooddata.ts';
import { sites } from './index.ts';
import { insightio } from './insightio.ts';
import type { BuiltInSiteId, Site, SiteUser } from './types.ts';
import { zenodo } from './zenodo.ts';

/**
 * The check request each adapter shows as `curl` is the one its `verify` sends: the credential alone, no cookies, and
 * the secret where the site's contract wants it.
 */

const ORIGIN = 'https://site.example.com';

/** A client that records every request and answers each with the next reply (the last one repeats). */
function recordingClient(...replies: PageResponse[]): PageClient & { sent: PageRequest[] } {
  const sent: PageRequest[] = [];
  return {
    origin: ORIGIN,
    sent,
    async request(request) {
      sent.push(structuredClone(request));
      return replies[Math.min(sent.length, replies.length) - 1]!;
    },
  };
}

const reply = (status: number, body: unknown = ''): PageResponse => ({
  status,
  headers: typeof body === 'string' ? {} : { 'content-type': 'application/json' },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

/** Each site's refusal of a bad credential, as its contract gives it. */
const refusals: Record<BuiltInSiteId, PageResponse> = {
  gooddata: reply(401, ''),
  // CDS answers a refused sign-in token with its own error body (403 id 11 in practice; a 401 in CDS's shape also counts).
  cds: reply(401, { id: 11, message: 'forbidden', from: 'invalid signin token', request_id: 'r-1' }),
  frappe: reply(401, { exc_type: 'AuthenticationError' }),
  zenodo: reply(401, { status: 401, message: 'The server could not verify that you are authorized.' }),
  insightio: reply(401, { error: 'Credentials required' }),
};

// Realistic secrets, one per site.
const secrets: Record<BuiltInSiteId, string> = {
  gooddata: 'ZGVtbzp0b2tlbm1pbnQ6RmFrZVNlY3JldCtWYWx1ZS9XaXRoPVBhZGRpbmc=',
  cds: 'eyJhbGciOiJSUzUxMiIsInR5cCI6IkpXVCJ9.eyJpZCI6IjBiMWMifQ.c2lnbmF0dXJl_LQ',
  frappe: '8c41e0f2a9b7d35:3f9a1c0b7d2e4a6',
  zenodo: 'Xq7Lw2RZt9bK4mVn1cYp8HsJd3GfA6uE0oTiW5yQkN7xB2vCjM9lPzS4rUeD',
  insightio: '3f9a1c0b7d2e4a6f'.repeat(16),
};

/** What each contract says the check is, and where the secret goes. */
const expected: Record<BuiltInSiteId, (secret: string) => PageRequest> = {
  gooddata: (secret) => ({
    method: 'GET',
    path: '/api/v1/profile',
    headers: { 'X-Requested-With': 'XMLHttpRequest', Accept: 'application/json', Authorization: `Bearer ${secret}` },
    credentials: 'omit',
  }),
  cds: (secret) => ({
    method: 'POST',
    path: '/cdsapi/auth/consumer/builtin/signin',
    headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
    body: JSON.stringify({ token: secret }),
    credentials: 'omit',
  }),
  frappe: (secret) => ({
    method: 'GET',
    path: '/api/method/frappe.auth.get_logged_user',
    headers: { Accept: 'application/json', Authorization: `token ${secret}` },
    credentials: 'omit',
  }),
  zenodo: (secret) => ({
    method: 'GET',
    path: '/api/me',
    headers: { Accept: 'application/json', Authorization: `Bearer ${secret}` },
    credentials: 'omit',
  }),
  insightio: (secret) => ({
    method: 'GET',
    path: '/api/user/profile',
    headers: { Accept: 'application/json', 'X-Requested-With': 'XMLHttpRequest', 'X-Auth-Token': secret },
    credentials: 'omit',
  }),
};

const envNames: Record<BuiltInSiteId, string> = {
  gooddata: 'GOODDATA_API_TOKEN',
  cds: 'CDS_TOKEN',
  frappe: 'FRAPPE_API_TOKEN',
  zenodo: 'ZENODO_TOKEN',
  insightio: 'INSIGHTIO_TOKEN',
};

const adapters: [BuiltInSiteId, Site][] = [
  ['gooddata', gooddata],
  ['cds', cds],
  ['frappe', frappe],
  ['zenodo', zenodo],
  ['insightio', insightio],
];

test('every registered adapter is covered here', () => {
  expect(sites.map((site) => site.id).sort()).toEqual(adapters.map(([id]) => id).sort());
});

describe.each(adapters)('%s', (id, site) => {
  const secret = secrets[id];

  test('checkRequest carries the secret alone, as the contract says, with credentials omitted', () => {
    const check = site.checkRequest(secret);
    expect(check).toEqual(expected[id](secret));
    expect(check.credentials).toBe('omit');
    // Nothing a copied command could not send: no cookie read in the tab.
    expect(check.echoCookie).toBeUndefined();
    expect(JSON.stringify(check)).toContain(secret);
  });

  test('checkRequest is fresh data each time, for any secret', () => {
    const first = site.checkRequest('first-secret');
    first.headers!['X-Mutated'] = 'yes';
    const second = site.checkRequest('second-secret');
    expect(second).toEqual(expected[id]('second-secret'));
    expect(JSON.stringify(second)).not.toContain('first-secret');
  });

  test('verify sends exactly checkRequest(secret), and a refusal means null', async () => {
    const client = recordingClient(refusals[id]);
    expect(await site.verify(client, secret)).toBeNull();
    expect(client.sent).toEqual([site.checkRequest(secret)]);
  });

  test('the authHeader, where there is one, is the one the check sends', () => {
    const header = site.authHeader?.(secret);
    if (!header) return;
    expect(site.checkRequest(secret).headers?.[header.name]).toBe(header.value);
  });

  test(`envName is ${envNames[id]}`, () => {
    expect(site.envName).toBe(envNames[id]);
    expect(site.envName).toMatch(/^[A-Z][A-Z0-9_]*$/);
  });

  test(id === 'cds' ? 'regenerate is offered' : 'regenerate is not offered', () => {
    expect(typeof site.regenerate).toBe(id === 'cds' ? 'function' : 'undefined');
  });
});

describe('CDS under another API base', () => {
  const other = cdsAt('/ui/cdsapi');
  const secret = secrets.cds;

  test('checkRequest honours the base', () => {
    expect(other.checkRequest(secret)).toEqual({ ...expected.cds(secret), path: '/ui/cdsapi/auth/consumer/builtin/signin' });
  });

  test('verify sends it there, and ends the session it opened', async () => {
    const client = recordingClient(
      reply(200, { api_url: `${ORIGIN}/ui/cdsapi`, token: 'session-jwt', user: { id: 'u-1', username: 'jdoe' }, service: {} }),
      reply(200, null),
    );
    expect(await other.verify(client, secret)).toBe('jdoe');
    expect(client.sent[0]).toEqual(other.checkRequest(secret));
    expect(client.sent[1]).toMatchObject({ method: 'POST', path: '/ui/cdsapi/auth/consumer/signout', credentials: 'omit' });
    expect(client.sent).toHaveLength(2);
  });

  test("a 403 id 11 (CDS's usual refusal) is null too, after only the check", async () => {
    const client = recordingClient(reply(403, { id: 11, message: 'forbidden', from: 'invalid signin token' }));
    expect(await other.verify(client, secret)).toBeNull();
    expect(client.sent).toEqual([other.checkRequest(secret)]);
  });
});

describe('Zenodo without /api/me', () => {
  test('the check comes first; the deposition list is the fallback, with the token alone too', async () => {
    const secret = secrets.zenodo;
    const client = recordingClient(reply(404, 'Not Found'), reply(401, { status: 401, message: 'Unauthorized' }));
    expect(await zenodo.verify(client, secret)).toBeNull();
    expect(client.sent).toEqual([
      zenodo.checkRequest(secret),
      {
        method: 'GET',
        path: '/api/deposit/depositions?size=1',
        headers: { Accept: 'application/json', Authorization: `Bearer ${secret}` },
        credentials: 'omit',
      },
    ]);
  });
});

describe('CDS regenerate, against the emulated site', () => {
  const JDOE: SiteUser = { id: 'jdoe', name: 'Jane Doe', org: 'acme' };
  let site: CdsSite;

  beforeEach(async () => {
    site = await startCds();
  });

  afterEach(async () => {
    await site.close();
  });

  test('returns the consumer with its new secret, cutting the old one off at once, for the default validity', async () => {
    const token = site.addToken('jdoe', 'ci-bot');
    const client = nodePageClient(site.origin, await signIn(site, 'jdoe', 'jdoe123'));
    await cds.probe(client); // issues the XSRF cookie, so the one regenerate goes through at once
    site.clearRequests();
    const minted = await cds.regenerate!(client, JDOE, token.id);
    const now = site.tokens('jdoe')[0]!;
    expect(minted).toEqual({ id: token.id, name: 'ci-bot', secret: now.signinToken });
    expect(minted.secret).not.toBe(token.signinToken);
    const posts = site.requests().filter((r) => r.method === 'POST' && r.path === `/cdsapi/user/jdoe/auth/consumer/${token.id}/regen`);
    expect(posts).toHaveLength(1);
    expect(JSON.parse(posts[0]!.body)).toEqual({ revoke_sessions: true, overlap_duration: '0s', new_duration: 15 });
    expect(await cds.verify(client, token.signinToken)).toBeNull();
    expect(await cds.verify(client, minted.secret)).toBe('jdoe');
  });
});
