import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ErrorCode, UserError } from '../core/errors.ts';
import type { PageClient } from '../core/page-client.ts';
import type { PageRequest } from '../core/page-request.ts';
import { captures, lost, useAdapterKit, withTimeoutMs } from '../../test/unit/adapter-test-kit.ts';
import { faultyClient } from '../../test/unit/faulty-client.ts';
import type { ClientFault } from '../../test/unit/faulty-client.ts';
import { nodePageClient } from '../../test/unit/node-page-client.ts';
import { signIn, startFrappe } from '../../test/sites/frappe.ts';
import type { FrappeSite } from '../../test/sites/frappe.ts';
import { signIn as signInGoodData, startGoodData } from '../../test/sites/gooddata.ts';
import type { Fault } from '../../test/sites/harness.ts';
import { frappe } from './frappe.ts';
import { mintInput, type SiteUser } from './types.ts';

const PASSWORDS = {
  Administrator: 'admin123',
  'jane@example.com': 'jane123',
  'sam@example.com': 'sam123',
  'victor@example.com': 'victor123',
  'portal@example.com': 'portal123',
} as const;
type UserId = keyof typeof PASSWORDS;

const JANE: SiteUser = { id: 'jane@example.com', name: 'Jane Doe' };
const SAM: SiteUser = { id: 'sam@example.com', name: 'Sam Keyholder' };
const VICTOR: SiteUser = { id: 'victor@example.com', name: 'Victor Viewer' };
const WHO_AM_I = '/api/method/frappe.auth.get_logged_user';
const GENERATE = '/api/method/frappe.core.doctype.user.user.generate_keys';
const GENERATE_2026 = '/api/method/frappe.core.api.auth.generate_api_keys';
const recordPath = (id: string) => `/api/resource/User/${encodeURIComponent(id)}`;
const isGenerate = (request: PageRequest) => request.method === 'POST' && request.path.includes('generate');
const agreed = mintInput({ replace: true });

// ---------------------------------------------------------------------------------------------------------------------
// The secrets check: every api_secret an answer or the site held, against every error the adapter produced.

const kit = useAdapterKit({
  // Masked secrets (`***`) are no secrets.
  secretsIn: (body) => captures(body, /"api_secret"\s*:\s*"([^"*]+)"/g),
  webPage: { contentType: 'text/html; charset=utf-8', body: '<!doctype html><html><title>Login</title><form action="/login"></form></html>' },
});
const { secrets, leaks, watched, failure, webPage, lostAnswers } = kit;

/** A Frappe v1 error body (contract §8). */
function frappeBody(excType: string, message?: string): string {
  const body: Record<string, string> = { exc_type: excType };
  if (message) body._server_messages = JSON.stringify([JSON.stringify({ message, title: 'Message', indicator: 'red', raise_exception: 1 })]);
  return JSON.stringify(body);
}

function frappeFault(status: number, excType: string, message?: string): Omit<Fault, 'path'> {
  return { status, contentType: 'application/json', body: frappeBody(excType, message) };
}

// ---------------------------------------------------------------------------------------------------------------------

describe('frappe against the emulated site', () => {
  let site: FrappeSite;

  beforeEach(async () => {
    site = await startFrappe();
  });

  afterEach(async () => {
    for (const user of Object.keys(PASSWORDS)) {
      const keys = site.keys(user);
      if (keys) secrets.add(keys.apiSecret);
    }
    await site.close();
  });

  async function signedInAs(user: UserId): Promise<PageClient> {
    return watched(nodePageClient(site.origin, await signIn(site, user, PASSWORDS[user])));
  }

  const anonymous = () => watched(nodePageClient(site.origin));
  const posts = () => site.requests().filter((r) => r.method === 'POST' && r.path.includes('generate'));
  /** Whether a pair authenticates on its own, asked the way a client would. */
  const works = async (secret: string) => frappe.verify(anonymous(), secret);

  describe('probe', () => {
    it('reads the user and their full name, in two requests', async () => {
      expect(await frappe.probe(await signedInAs('jane@example.com'))).toEqual({ kind: 'signed-in', user: JANE });
      expect(kit.exchanges.map((e) => `${e.request.method} ${e.request.path} ${e.response.status}`)).toEqual([
        `GET ${WHO_AM_I} 200`,
        `GET ${recordPath(JANE.id)} 200`,
      ]);
      expect(kit.exchanges.every((e) => e.request.headers?.Accept === 'application/json')).toBe(true);
    });

    it('lets Administrator mint', async () => {
      expect(await frappe.probe(await signedInAs('Administrator'))).toEqual({ kind: 'signed-in', user: { id: 'Administrator', name: 'Administrator' } });
    });

    it('tells a user without System Manager why they cannot mint, in plain words', async () => {
      const probe = await frappe.probe(await signedInAs('victor@example.com'));
      if (probe.kind !== 'signed-in') throw new Error(`expected signed-in, got ${probe.kind}`);
      expect(probe.user).toMatchObject({ id: VICTOR.id, name: 'Victor Viewer' });
      expect(probe.user.cannotMint).toMatchObject({ code: 'forbidden', sentence: expect.stringContaining('System Manager role') });
      expect(probe.user.cannotMint?.sentence).not.toMatch(/PermissionError/);
      kit.reported.push(probe.user.cannotMint!);
    });

    it('tells a portal user they cannot have keys', async () => {
      const probe = await frappe.probe(await signedInAs('portal@example.com'));
      if (probe.kind !== 'signed-in') throw new Error(`expected signed-in, got ${probe.kind}`);
      expect(probe.user.cannotMint?.sentence).toMatch(/website \(portal\) account/);
    });

    it('cannot mint when the own record is not readable (403 PermissionError)', async () => {
      site.inject({ method: 'GET', path: recordPath(JANE.id), ...frappeFault(403, 'PermissionError', 'No permission for User') });
      const probe = await frappe.probe(await signedInAs('jane@example.com'));
      expect(probe).toMatchObject({ kind: 'signed-in', user: { id: JANE.id, name: JANE.id, cannotMint: { code: 'forbidden' } } });
    });

    it('is signed out for a Guest (403 PermissionError), in one request', async () => {
      expect(await frappe.probe(anonymous())).toEqual({ kind: 'signed-out' });
      expect(kit.exchanges).toHaveLength(1);
    });

    it.each<[string, Omit<Fault, 'path'>]>([
      ['a plain web page', { status: 200, contentType: 'text/html', body: '<!doctype html><title>Shop</title>' }],
      ['a 404', { status: 404, body: 'Not Found' }],
      ['a 403 that is not Frappe’s', { status: 403, contentType: 'application/json', body: '{"error":"forbidden"}' }],
      ['JSON of another shape', { status: 200, contentType: 'application/json', body: '{"user":"jane"}' }],
      ['an empty message', { status: 200, contentType: 'application/json', body: '{"message":""}' }],
    ])('is not this site when who-am-I answers with %s', async (_, fault) => {
      site.inject({ method: 'GET', path: WHO_AM_I, ...fault });
      expect(await frappe.probe(await signedInAs('jane@example.com'))).toEqual({ kind: 'not-this-site' });
    });

    it('is not this site when a {"message": …} answer is not followed by a Frappe User record', async () => {
      site.inject({ method: 'GET', path: recordPath(JANE.id), status: 200, contentType: 'application/json', body: '{"data":{"id":7}}' });
      expect(await frappe.probe(await signedInAs('jane@example.com'))).toEqual({ kind: 'not-this-site' });
      expect(kit.exchanges).toHaveLength(2);
    });

    it('a server error on the record is reported, not taken for another site', async () => {
      site.inject({ method: 'GET', path: recordPath(JANE.id), status: 500, contentType: 'text/html', body: '<h1>Internal Server Error</h1>' });
      await failure(frappe.probe(await signedInAs('jane@example.com')), 'server');
    });
  });

  describe('form', () => {
    it('a user without a key: nothing to confirm', async () => {
      expect(await frappe.form!(await signedInAs('jane@example.com'), JANE)).toEqual({});
    });

    it('a user with a key: the replace consent, saying what breaks', async () => {
      const form = await frappe.form!(await signedInAs('sam@example.com'), SAM);
      expect(form.replaces?.sentence).toMatch(/already have a Frappe API key/);
      expect(form.replaces?.sentence).toMatch(/stops working at once/);
      expect(form.replaces?.sentence).toMatch(/anything that still uses it will fail/);
      expect(form.scopes).toBeUndefined();
      expect(form.expiresInDays).toBeUndefined();
    });

    it('a user who may not read keys: nothing (the probe already says why)', async () => {
      expect(await frappe.form!(await signedInAs('victor@example.com'), VICTOR)).toEqual({});
    });

    it('a session gone: signed out, with the way back in', async () => {
      const error = await failure(frappe.form!(anonymous(), JANE), 'signed-out');
      expect(error.user.link).toEqual({ label: 'Sign in', url: `${site.origin}/login?redirect-to=%2Fapp` });
    });
  });

  describe('mint', () => {
    it('v15 (secret only): reads the key from the User record; the pair is key:secret and works', async () => {
      const minted = await frappe.mint(await signedInAs('jane@example.com'), JANE, mintInput({}));
      const keys = site.keys(JANE.id)!;
      expect(minted).toEqual({ id: keys.apiKey, name: keys.apiKey, secret: `${keys.apiKey}:${keys.apiSecret}` });
      expect(secrets).toContain(keys.apiSecret);
      expect(await works(minted.secret)).toBe(JANE.id);
      expect(kit.exchanges.map((e) => `${e.request.method} ${e.request.path}`)).toEqual([
        `GET ${recordPath(JANE.id)}`,
        'GET /app',
        `POST ${GENERATE}`,
        `GET ${recordPath(JANE.id)}`,
        `GET ${WHO_AM_I}`,
      ]);
    });

    it('2026 line (key and secret): takes both from the answer, with no read afterwards', async () => {
      site.setLine('2026');
      const minted = await frappe.mint(await signedInAs('jane@example.com'), JANE, mintInput({}));
      const keys = site.keys(JANE.id)!;
      expect(minted.secret).toBe(`${keys.apiKey}:${keys.apiSecret}`);
      expect(kit.exchanges.map((e) => e.request.path)).toEqual([recordPath(JANE.id), '/app', GENERATE]);
    });

    it('POSTs user=<id> form-encoded, with the desk’s CSRF token and Accept: application/json', async () => {
      const client = await signedInAs('jane@example.com');
      await frappe.mint(client, JANE, mintInput({}));
      const desk = kit.exchanges.find((e) => e.request.path === '/app')!.response.body;
      const token = /frappe\.csrf_token = "([^"]+)"/.exec(desk)?.[1];
      const [post] = posts();
      expect(post?.body).toBe('user=jane%40example.com');
      expect(post?.headers).toMatchObject({
        'x-frappe-csrf-token': token,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        cookie: expect.stringContaining('sid='),
      });
      expect(posts()).toHaveLength(1);
    });

    it('a user with a key who agreed: the old secret stops working, the new one works, the key stays', async () => {
      const old = site.keys(SAM.id)!;
      const minted = await frappe.mint(await signedInAs('sam@example.com'), SAM, agreed);
      expect(minted.id).toBe(old.apiKey);
      expect(minted.secret).toBe(`${old.apiKey}:${site.keys(SAM.id)!.apiSecret}`);
      expect(await works(`${old.apiKey}:${old.apiSecret}`)).toBeNull();
      expect(await works(minted.secret)).toBe(SAM.id);
    });

    it('a user with a key who did not agree: refused in mint itself, and nothing is generated', async () => {
      const old = site.keys(SAM.id)!;
      const error = await failure(frappe.mint(await signedInAs('sam@example.com'), SAM, mintInput({})), 'conflict');
      expect(error.user.next).toContain('Replace the existing secret');
      expect(posts()).toHaveLength(0);
      expect(site.keys(SAM.id)).toEqual(old);
    });

    it('without System Manager: a plain sentence about the role, never the raw PermissionError', async () => {
      const error = await failure(frappe.mint(await signedInAs('victor@example.com'), VICTOR, mintInput({})), 'forbidden');
      expect(error.user.sentence).toBe('Only Frappe users with the System Manager role can generate API keys, even for their own account.');
      expect(`${error.user.sentence} ${error.user.next}`).not.toMatch(/PermissionError|Not permitted/);
      expect(posts()).toHaveLength(1);
      expect(site.keys(VICTOR.id)).toBeNull();
    });

    it('signed out: the sentence with a Sign in link, and nothing sent to generate', async () => {
      const error = await failure(frappe.mint(anonymous(), JANE, mintInput({})), 'signed-out');
      expect(error.user).toEqual({
        code: 'signed-out',
        sentence: 'You are not signed in to Frappe.',
        next: 'Sign in, then open Tokenmint again.',
        link: { label: 'Sign in', url: `${site.origin}/login?redirect-to=%2Fapp` },
      });
      expect(posts()).toHaveLength(0);
    });

    it('a session that ends right before the POST (403 and who-am-I says Guest): signed out', async () => {
      site.inject({ method: 'POST', path: GENERATE, ...frappeFault(403, 'PermissionError', 'Not permitted') });
      site.inject({ method: 'GET', path: WHO_AM_I, ...frappeFault(403, 'PermissionError', 'Not permitted') });
      await failure(frappe.mint(await signedInAs('jane@example.com'), JANE, mintInput({})), 'signed-out');
    });

    it('401 AuthenticationError on the POST: signed out', async () => {
      site.inject({ method: 'POST', path: GENERATE, ...frappeFault(401, 'AuthenticationError') });
      await failure(frappe.mint(await signedInAs('jane@example.com'), JANE, mintInput({})), 'signed-out');
    });

    describe('CSRF', () => {
      it('a 400 CSRFTokenError is answered by fetching a fresh token and trying once more', async () => {
        const refusal = site.inject({ method: 'POST', path: GENERATE, ...frappeFault(400, 'CSRFTokenError', 'Invalid Request') });
        const minted = await frappe.mint(await signedInAs('jane@example.com'), JANE, mintInput({}));
        expect(refusal.hits).toBe(1);
        expect(posts()).toHaveLength(2);
        expect(kit.exchanges.filter((e) => e.request.path === '/app')).toHaveLength(2);
        expect(site.generations(JANE.id)).toBe(1);
        expect(await works(minted.secret)).toBe(JANE.id);
      });

      it('refused twice: one sentence about the security token, and no third try', async () => {
        site.inject({ method: 'POST', path: GENERATE, times: Infinity, ...frappeFault(400, 'CSRFTokenError', 'Invalid Request') });
        const error = await failure(frappe.mint(await signedInAs('jane@example.com'), JANE, mintInput({})), 'csrf-refused');
        expect(error.user.sentence).toMatch(/security token \(CSRF\)/);
        expect(posts()).toHaveLength(2);
      });

      it('a desk page without the token: unexpected response, nothing sent', async () => {
        site.inject({ method: 'GET', path: '/app', status: 200, contentType: 'text/html', body: '<!doctype html><h1>Desk</h1>' });
        const error = await failure(frappe.mint(await signedInAs('jane@example.com'), JANE, mintInput({})), 'unexpected-response');
        expect(error.user.sentence).toMatch(/security token \(CSRF\)/);
        expect(posts()).toHaveLength(0);
      });

      it('an older site without /app: the token is read from /desk', async () => {
        site.inject({ method: 'GET', path: '/app', status: 404, contentType: 'text/html', body: '<h1>Not Found</h1>' });
        site.inject({ method: 'GET', path: '/desk', status: 200, contentType: 'text/html', body: "<script>frappe.csrf_token = 'from-desk';</script>" });
        await frappe.mint(await signedInAs('jane@example.com'), JANE, mintInput({}));
        expect(posts()[0]?.headers['x-frappe-csrf-token']).toBe('from-desk');
      });
    });

    it('a 404 on the classic path: the 2026 path is tried, and makes the pair', async () => {
      site.setLine('2026');
      site.inject({ method: 'POST', path: GENERATE, ...frappeFault(404, 'DoesNotExistError', 'Failed to get method') });
      const minted = await frappe.mint(await signedInAs('jane@example.com'), JANE, mintInput({}));
      expect(posts().map((r) => r.path)).toEqual([GENERATE, GENERATE_2026]);
      expect(await works(minted.secret)).toBe(JANE.id);
    });

    it('404 on both paths: not found, with the site’s message', async () => {
      site.inject({ method: 'POST', path: GENERATE, ...frappeFault(404, 'DoesNotExistError', 'User jane@example.com not found') });
      const error = await failure(frappe.mint(await signedInAs('jane@example.com'), JANE, mintInput({})), 'not-found');
      expect(error.user.sentence).toContain('(404)');
      expect(posts().map((r) => r.path)).toEqual([GENERATE, GENERATE_2026]);
    });

    it.each<[string, Omit<Fault, 'path'>, ErrorCode, RegExp]>([
      ['409 DuplicateEntryError', frappeFault(409, 'DuplicateEntryError', 'Duplicate api_key'), 'conflict', /conflict.*Frappe says: Duplicate api_key\./],
      ['417 ValidationError', frappeFault(417, 'ValidationError', 'Please set a <b>valid</b> e-mail'), 'invalid', /could not save your user.*\(417\)\. Frappe says: Please set a valid e-mail\./],
      ['400 with the site’s message', frappeFault(400, 'MandatoryError', 'Value missing for User: First Name'), 'invalid', /\(400\)\. Frappe says: Value missing for User: First Name\./],
      ['429 with Retry-After', { ...frappeFault(429, 'TooManyRequestsError'), headers: { 'retry-after': '30' } }, 'rate-limited', /limiting requests/],
      ['503 SessionStopped', frappeFault(503, 'SessionStopped', 'Session Stopped'), 'server', /under maintenance/],
    ])('%s: mapped, with nothing made', async (_, fault, code, sentence) => {
      site.inject({ method: 'POST', path: GENERATE, ...fault });
      const error = await failure(frappe.mint(await signedInAs('jane@example.com'), JANE, mintInput({})), code);
      expect(error.user.sentence).toMatch(sentence);
      expect(site.keys(JANE.id)).toBeNull();
      expect(posts()).toHaveLength(1);
    });

    it('429 says how long to wait', async () => {
      site.inject({ method: 'POST', path: GENERATE, ...frappeFault(429, 'TooManyRequestsError'), headers: { 'retry-after': '30' } });
      const error = await failure(frappe.mint(await signedInAs('jane@example.com'), JANE, mintInput({})), 'rate-limited');
      expect(error.user.next).toBe('Wait 30 seconds and try again.');
    });

    describe('when the site made nothing, the original error stands and nothing is repeated', () => {
      it.each<[string, Omit<Fault, 'path'>, ErrorCode]>([
        ['500 with a web page', { status: 500, contentType: 'text/html', body: '<!doctype html><h1>Internal Server Error</h1>' }, 'server'],
        ['502 from a gateway', { status: 502, contentType: 'text/html', body: '<html>Bad Gateway</html>' }, 'server'],
        ['200 with a web page', { status: 200, contentType: 'text/html', body: webPage(200).body }, 'unexpected-response'],
        ['200 with malformed JSON', { status: 200, contentType: 'application/json', body: '{"message": {"api_secret": ' }, 'unexpected-response'],
        ['200 without api_secret', { status: 200, contentType: 'application/json', body: '{"message": {"api_key": "8c41e0f2a9b7d35"}}' }, 'unexpected-response'],
      ])('%s', async (_, fault, code) => {
        site.inject({ method: 'POST', path: GENERATE, ...fault });
        const error = await failure(frappe.mint(await signedInAs('jane@example.com'), JANE, mintInput({})), code);
        expect(error.user.next).not.toMatch(/Check/);
        expect(site.keys(JANE.id)).toBeNull();
        expect(posts()).toHaveLength(1);
      });

      it('500 with Frappe’s JSON: the server error names its message', async () => {
        site.inject({ method: 'POST', path: GENERATE, ...frappeFault(500, 'OperationalError', 'Database is locked') });
        const error = await failure(frappe.mint(await signedInAs('jane@example.com'), JANE, mintInput({})), 'server');
        expect(error.user.sentence).toBe('Frappe had a server error (500). Frappe says: Database is locked.');
      });

      it('no answer within the time limit: timeout', async () => {
        site.inject({ method: 'POST', path: GENERATE, hang: true });
        const client = withTimeoutMs(await signedInAs('jane@example.com'), 300);
        await failure(frappe.mint(client, JANE, mintInput({})), 'timeout');
        expect(site.keys(JANE.id)).toBeNull();
        expect(posts()).toHaveLength(1);
      });

      it('connection reset: network', async () => {
        site.inject({ method: 'POST', path: GENERATE, reset: true });
        await failure(frappe.mint(await signedInAs('jane@example.com'), JANE, mintInput({})), 'network');
        expect(posts()).toHaveLength(1);
      });

      it.each(['network', 'timeout'] as const)('a %s failure before the site saw the request', async (code) => {
        const cause = lost(code);
        const client = faultyClient(await signedInAs('sam@example.com'), isGenerate, { kind: 'drop', error: cause });
        const old = site.keys(SAM.id);
        const error = await failure(frappe.mint(client, SAM, agreed), code);
        expect(error).toBe(cause);
        expect(site.keys(SAM.id)).toEqual(old);
        expect(posts()).toHaveLength(0);
        expect(kit.exchanges.filter((e) => e.request.path === recordPath(SAM.id))).toHaveLength(2); // it looked before giving up
      });
    });

    describe('when the site generated but its answer was lost: orphaned, and never generated twice', () => {
      it.each<[string, ClientFault]>([
        ...lostAnswers(200),
        ['the answer is cut off', { kind: 'rewrite', answer: (response) => ({ ...response, body: response.body.slice(0, -10) }) }],
      ])('%s (a user without a key)', async (_, fault) => {
        const client = faultyClient(await signedInAs('jane@example.com'), isGenerate, fault);
        const error = await failure(frappe.mint(client, JANE, mintInput({})), 'orphaned');
        expect(error.user.sentence).toBe('Frappe made an API key pair, but its secret never reached Tokenmint.');
        expect(site.generations(JANE.id)).toBe(1);
        expect(posts()).toHaveLength(1);
      });

      it('a user with a key is told the previous secret no longer works', async () => {
        const client = faultyClient(await signedInAs('sam@example.com'), isGenerate, { kind: 'lose', error: lost('network') });
        const error = await failure(frappe.mint(client, SAM, agreed), 'orphaned');
        expect(error.user.sentence).toMatch(/your previous secret no longer works/);
        expect(site.generations(SAM.id)).toBe(2);
        expect(posts()).toHaveLength(1);
      });

      it('keeps the failure, and says to check the secret, when the lookup fails as well', async () => {
        // The reads before the POST pass; the POST and everything after it lose their answers.
        let generating = false;
        const matches = (request: PageRequest) => (generating ||= isGenerate(request));
        const client = faultyClient(await signedInAs('sam@example.com'), matches, { kind: 'lose', error: lost('network') });
        const error = await failure(frappe.mint(client, SAM, agreed), 'network');
        expect(error.user.next).toBe('Check whether your current Frappe API secret still works before you try again.');
        expect(posts()).toHaveLength(1);
      });
    });

    it('a v15 answer whose key cannot be read afterwards: the key comes from frappe.client.get_value', async () => {
      const inner = await signedInAs('jane@example.com');
      let generated = false;
      // After the POST, the record comes back without level-1 fields (a site that hides them from this path).
      const client: PageClient = {
        origin: inner.origin,
        async request(request) {
          const response = await inner.request(request);
          if (isGenerate(request)) generated = true;
          if (!generated || request.path !== recordPath(JANE.id)) return response;
          const body = JSON.parse(response.body) as { data: Record<string, unknown> };
          delete body.data.api_key;
          return { ...response, body: JSON.stringify(body) };
        },
      };
      const minted = await frappe.mint(client, JANE, mintInput({}));
      expect(minted.id).toBe(site.keys(JANE.id)!.apiKey);
      expect(kit.exchanges.at(-1)?.request.path).toMatch(/^\/api\/method\/frappe\.client\.get_value\?doctype=User&fieldname=api_key&filters=jane%40example\.com$/);
    });

    it('no api_key anywhere after a v15 answer: orphaned, without the secret in the sentence', async () => {
      site.inject({ method: 'GET', path: /^\/api\/method\/frappe\.client\.get_value/, status: 200, contentType: 'application/json', body: '{"message": null}' });
      const inner = await signedInAs('jane@example.com');
      const client = faultyClient(inner, (r) => r.path === recordPath(JANE.id), {
        kind: 'rewrite',
        answer: (response) => {
          const body = JSON.parse(response.body) as { data: Record<string, unknown> };
          body.data.api_key = null;
          return { ...response, body: JSON.stringify(body) };
        },
      });
      const error = await failure(frappe.mint(client, JANE, mintInput({})), 'orphaned');
      expect(error.user.sentence).toMatch(/could not read the API key/);
      expect(site.generations(JANE.id)).toBe(1);
    });
  });

  describe('list', () => {
    it('no key: an empty list', async () => {
      expect(await frappe.list(await signedInAs('jane@example.com'), JANE)).toEqual([]);
    });

    it('a key: one row named by the key, never the secret or its mask', async () => {
      const tokens = await frappe.list(await signedInAs('sam@example.com'), SAM);
      expect(tokens).toEqual([{ id: site.keys(SAM.id)!.apiKey, name: site.keys(SAM.id)!.apiKey }]);
      expect(JSON.stringify(tokens)).not.toContain('*');
    });

    it.each<[string, Omit<Fault, 'path'>, ErrorCode]>([
      ['a web page', { status: 200, contentType: 'text/html', body: webPage(200).body }, 'unexpected-response'],
      ['malformed JSON', { status: 200, contentType: 'application/json', body: '{"data": ' }, 'unexpected-response'],
      ['a record of someone else', { status: 200, contentType: 'application/json', body: '{"data": {"name": "other@example.com"}}' }, 'unexpected-response'],
      ['a redirect to the login page', { status: 302, headers: { location: '/login' } }, 'signed-out'],
    ])('%s: mapped', async (_, fault, code) => {
      site.inject({ method: 'GET', path: recordPath(SAM.id), ...fault });
      await failure(frappe.list(await signedInAs('sam@example.com'), SAM), code);
    });

    it('a user without the role: forbidden in plain words', async () => {
      site.inject({ method: 'GET', path: recordPath(VICTOR.id), ...frappeFault(403, 'PermissionError', 'No permission for User') });
      const error = await failure(frappe.list(await signedInAs('victor@example.com'), VICTOR), 'forbidden');
      expect(error.user.sentence).toMatch(/System Manager role/);
    });
  });

  describe('revoke', () => {
    it('replaces the secret with one nobody keeps: the old pair stops working', async () => {
      const old = site.keys(SAM.id)!;
      await frappe.revoke(await signedInAs('sam@example.com'), SAM, old.apiKey);
      expect(await works(`${old.apiKey}:${old.apiSecret}`)).toBeNull();
      expect(site.generations(SAM.id)).toBe(2);
      expect(posts()[0]?.headers['x-frappe-csrf-token']).toMatch(/^[0-9a-f]{56}$/);
    });

    it('a key that is not the user’s (any more): done, with nothing generated', async () => {
      await frappe.revoke(await signedInAs('sam@example.com'), SAM, 'ffffffffffffff0');
      await frappe.revoke(await signedInAs('jane@example.com'), JANE, 'ffffffffffffff0');
      expect(posts()).toHaveLength(0);
    });

    it('signed out: the sentence with the link, and the pair keeps working', async () => {
      const old = site.keys(SAM.id)!;
      await failure(frappe.revoke(anonymous(), SAM, old.apiKey), 'signed-out');
      expect(await works(`${old.apiKey}:${old.apiSecret}`)).toBe(SAM.id);
    });

    it('a server error: reported', async () => {
      site.inject({ method: 'POST', path: GENERATE, status: 500, contentType: 'text/html', body: '<h1>Oops</h1>' });
      await failure(frappe.revoke(await signedInAs('sam@example.com'), SAM, site.keys(SAM.id)!.apiKey), 'server');
    });
  });

  describe('verify', () => {
    it('a working pair: its owner, asked with `token key:secret` and without cookies', async () => {
      const { apiKey, apiSecret } = site.keys(SAM.id)!;
      expect(await frappe.verify(await signedInAs('jane@example.com'), `${apiKey}:${apiSecret}`)).toBe(SAM.id);
      const asked = site.requests().filter((r) => r.path === WHO_AM_I).at(-1);
      expect(asked?.headers.authorization).toBe(`token ${apiKey}:${apiSecret}`);
      expect(asked?.headers).not.toHaveProperty('cookie');
    });

    it.each(['v15', '2026'] as const)('a wrong secret on %s: null', async (line) => {
      site.setLine(line);
      const { apiKey } = site.keys(SAM.id)!;
      expect(await frappe.verify(await signedInAs('sam@example.com'), `${apiKey}:0123456789abcde`)).toBeNull();
    });

    it('an unknown key: null', async () => {
      expect(await frappe.verify(anonymous(), '0123456789abcde:0123456789abcde')).toBeNull();
    });

    it('a web page: unexpected response', async () => {
      site.inject({ method: 'GET', path: WHO_AM_I, status: 200, contentType: 'text/html', body: webPage(200).body });
      await failure(frappe.verify(anonymous(), '0123456789abcde:0123456789abcde'), 'unexpected-response');
    });
  });

  it('offers the credential as `Authorization: token key:secret`', () => {
    expect(frappe.authHeader!('8c41e0f2a9b7d35:3f9a1c0b7d2e4a6')).toEqual({ name: 'Authorization', value: 'token 8c41e0f2a9b7d35:3f9a1c0b7d2e4a6' });
  });

  it('has no token names and knows Frappe Cloud hosts', () => {
    expect(frappe.nameRule).toBeUndefined();
    expect(frappe.knownHosts.some((re) => re.test('acme.frappe.cloud'))).toBe(true);
    expect(frappe.loginUrl('https://erp.example.com')).toBe('https://erp.example.com/login?redirect-to=%2Fapp');
  });
});

describe('frappe does not claim the other emulated sites', () => {
  it('GoodData, signed in or not, is not this site', async () => {
    const site = await startGoodData();
    try {
      expect(await frappe.probe(nodePageClient(site.origin))).toEqual({ kind: 'not-this-site' });
      const client = nodePageClient(site.origin, await signInGoodData(site, 'demo', 'demo123'));
      expect(await frappe.probe(client)).toEqual({ kind: 'not-this-site' });
      expect(site.requests().filter((r) => r.path.startsWith('/api/')).length).toBeLessThanOrEqual(2);
    } finally {
      await site.close();
    }
  });
});

describe('the secrets check', () => {
  it('finds a secret in what the user reads', () => {
    const says = (sentence: string, next = 'Try again.'): UserError => ({ code: 'internal', sentence, next });
    expect(leaks(says('Bad pair 8c41e0f2a9b7d35:3f9a1c0b7d2e4a6.'), ['3f9a1c0b7d2e4a6'])).toEqual(['3f9a1c0b7d2e4a6']);
    expect(leaks(says('Bad pair.', 'Use 3f9a1c0b7d2e4a6'), ['3f9a1c0b7d2e4a6'])).toEqual(['3f9a1c0b7d2e4a6']);
    expect(leaks(says('Bad pair.'), ['3f9a1c0b7d2e4a6'])).toEqual([]);
  });
});
