// What every adapter's unit tests (src/sites/*.test.ts) share: the secrets check and the small helpers around it.
// Each test file says only what differs for its site: where secrets show in an answer, what counts as showing one,
// and what a stray web page looks like there.
import { afterEach, beforeEach, expect } from 'vitest';
import { SiteError, siteError } from '../../src/core/errors.ts';
import type { ErrorCode, UserError } from '../../src/core/errors.ts';
import type { PageClient } from '../../src/core/page-client.ts';
import type { PageRequest, PageResponse } from '../../src/core/page-request.ts';
import type { Fault } from '../sites/harness.ts';
import type { ClientFault } from './faulty-client.ts';

export interface Exchange {
  request: PageRequest;
  response: PageResponse;
}

export interface AdapterKitOptions {
  /** The secrets an answer's body carries (tokens, keys, session JWTs), as the site writes them. */
  secretsIn(body: string): Iterable<string>;
  /**
   * What of a known `secret` the `text` gives away, named as the check reports it. By default the secret itself,
   * when it shows whole; a site whose secrets hide another secret, or show in part, says so here.
   */
  leakedIn?(text: string, secret: string): string[];
  /** The page a proxy or gateway answers with where the site would answer (content type and body). */
  webPage?: { contentType: string; body: string };
}

export interface AdapterKit {
  /** Every secret an answer carried in this file, plus those the tests add (what the site holds when a test ends). */
  readonly secrets: Set<string>;
  /** The current test's errors meant for the user: after the test, none may show a known secret. */
  readonly reported: UserError[];
  /** What the watched clients of the current test sent and got back (innermost, so it sees answers a fault later loses). */
  readonly exchanges: Exchange[];
  /** The known secrets that show anywhere in what the user reads. */
  leaks(user: UserError, known: Iterable<string>): string[];
  /** Logs every exchange and notes the secrets answers carry. */
  watched(client: PageClient): PageClient;
  /** Awaits an adapter call that must fail with `code`; the user's words join the secrets check. */
  failure(run: Promise<unknown>, code: ErrorCode): Promise<SiteError>;
  /** A web page where the site's own answer was expected, with the given status. */
  webPage(status: number): PageResponse;
  /**
   * The ways every site can lose the answer to a create it acted on: `ok` is the status of the answer a proxy swaps
   * for a web page, `okNamed` how the test name says it. Each file adds the ways its own answers break.
   */
  lostAnswers(ok: number, okNamed?: string): [string, ClientFault][];
}

const SIGN_IN_PAGE = {
  contentType: 'text/html;charset=UTF-8',
  body: '<!doctype html><html><title>Sign in</title><form action="/login"></form></html>',
};

const shownWhole = (text: string, secret: string): string[] => (text.includes(secret) ? [secret] : []);

/**
 * The secrets check of one test file, with its hooks: call it once, at the top level of the file, so its
 * `beforeEach` starts every test with no errors and no exchanges, and its `afterEach` runs after those of the file's
 * describe blocks (which may still add what the site holds to `secrets`).
 */
export function useAdapterKit({ secretsIn, leakedIn = shownWhole, webPage = SIGN_IN_PAGE }: AdapterKitOptions): AdapterKit {
  const secrets = new Set<string>();
  let reported: UserError[] = [];
  let exchanges: Exchange[] = [];
  const page = (status: number): PageResponse => ({ status, headers: { 'content-type': webPage.contentType }, body: webPage.body });

  function leaks(user: UserError, known: Iterable<string>): string[] {
    const text = [user.sentence, user.next, user.link?.label, user.link?.url].join('\n');
    return [...known].flatMap((secret) => leakedIn(text, secret));
  }

  beforeEach(() => {
    reported = [];
    exchanges = [];
  });

  afterEach(() => {
    for (const user of reported) expect(leaks(user, secrets), `${user.code}: ${user.sentence} ${user.next}`).toEqual([]);
  });

  return {
    secrets,
    get reported() {
      return reported;
    },
    get exchanges() {
      return exchanges;
    },
    leaks,
    watched(client) {
      return {
        origin: client.origin,
        async request(request) {
          const response = await client.request(request);
          exchanges.push({ request, response });
          for (const secret of secretsIn(response.body)) secrets.add(secret);
          return response;
        },
      };
    },
    async failure(run, code) {
      let thrown: unknown;
      try {
        await run;
      } catch (error) {
        thrown = error;
      }
      if (!(thrown instanceof SiteError)) throw new Error(`expected a SiteError '${code}', got ${String(thrown)}`);
      reported.push(thrown.user);
      expect(thrown.user.code, thrown.user.sentence).toBe(code);
      return thrown;
    },
    webPage: page,
    lostAnswers: (ok, okNamed = `the ${ok}`) => [
      ['the connection drops after the request', { kind: 'lose', error: lost('network') }],
      ['the answer times out', { kind: 'lose', error: lost('timeout') }],
      ['a gateway answers 502 with a web page', { kind: 'rewrite', answer: () => page(502) }],
      [`a proxy swaps ${okNamed} for a web page`, { kind: 'rewrite', answer: () => page(ok) }],
    ],
  };
}

/** The first capture group of every match of the global `pattern` in `body`: how the sites' secrets are found. */
export function captures(body: string, pattern: RegExp): string[] {
  return [...body.matchAll(pattern)].map((match) => match[1]!);
}

/** Every request of this client carries the given time limit. */
export function withTimeoutMs(client: PageClient, timeoutMs: number): PageClient {
  return { origin: client.origin, request: (request) => client.request({ ...request, timeoutMs }) };
}

/** An error as the page client reports a request that failed on the way. */
export function lost(code: 'network' | 'timeout'): SiteError {
  return siteError(code, `127.0.0.1 failed (${code}).`, 'Try again.');
}

/** A fault that answers with `body` as JSON. */
export function jsonFault(status: number, body: unknown): Omit<Fault, 'path'> {
  return { status, contentType: 'application/json', body: JSON.stringify(body) };
}
