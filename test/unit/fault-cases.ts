// The fault matrix's per-site knowledge (test/unit/fault-matrix.test.ts): how each emulated site is started and
// signed in to, which of its requests create a token, list tokens or serve the mint form, and what the site itself
// answers for each fault (its own 401, redirect, error bodies). The generic faults (5xx pages, hang, reset, a 5 MB
// answer, an answer lost after the site acted) are built here from those descriptors, so every site gets the same.
import { siteError, type SiteError } from '../../src/core/errors.ts';
import type { PageClient } from '../../src/core/page-client.ts';
import { responseOf } from '../../src/core/page-client.ts';
import type { PageRequest, PageResponse } from '../../src/core/page-request.ts';
import { cds } from '../../src/sites/cds.ts';
import { frappe } from '../../src/sites/frappe.ts';
import { gooddata } from '../../src/sites/gooddata.ts';
import { insightio } from '../../src/sites/insightio.ts';
import { mintInput, type MintInput, type Site as Adapter, type BuiltInSiteId as SiteId } from '../../src/sites/types.ts';
import { startCds, signIn as cdsSignIn, type CdsSite } from '../sites/cds.ts';
import { startFrappe, signIn as frappeSignIn, type FrappeSite } from '../sites/frappe.ts';
import { startGoodData, signIn as gooddataSignIn, type GoodDataSite } from '../sites/gooddata.ts';
import type { Fault, Site as Harness } from '../sites/harness.ts';
import { startInsightIo, signIn as insightioSignIn, type InsightIoSite } from '../sites/insightio.ts';
import { startZenodo, signIn as zenodoSignIn, type ZenodoSite } from '../sites/zenodo.ts';
import { zenodo } from '../../src/sites/zenodo.ts';
import type { ClientFault } from './faulty-client.ts';

// ---------------------------------------------------------------------------------------------------------------------
// The faults.

export type Phase = 'mint' | 'form' | 'list';

export const PHASES: readonly { id: Phase; title: string; about: string }[] = [
  { id: 'mint', title: 'Mint: fault on the create request', about: "`mint`, the fault on the request that makes the token (for Zenodo's body faults: the token page the create redirects to)" },
  {
    id: 'form',
    title: 'Mint: fault on the form / CSRF page',
    about:
      "`mint`, the fault on what the adapter reads its anti-forgery token from before the create: Frappe's desk page, Zenodo's new-token form, CDS's token list (the read that issues the `xsrf_token` cookie)",
  },
  { id: 'list', title: 'List: fault on the list request', about: '`list`, the fault on the request that lists the tokens' },
];

export type FaultId =
  | 'session-401'
  | 'session-redirect'
  | 'session-html'
  | 'session-gone'
  | 'csrf'
  | 'csrf-once'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'invalid'
  | 'rate-limited'
  | 'server-500'
  | 'server-502'
  | 'server-503'
  | 'malformed'
  | 'no-token-field'
  | 'empty'
  | 'hang'
  | 'reset'
  | 'large'
  | 'lost-timeout'
  | 'lost-reset'
  | 'lost-502'
  | 'lost-cut'
  | 'lost-no-token'
  | 'lost-empty';

/** Row titles, in the table's order. */
export const FAULTS: readonly { id: FaultId; title: string }[] = [
  { id: 'session-401', title: 'session expired: 401' },
  { id: 'session-redirect', title: 'session expired: redirect to login' },
  { id: 'session-html', title: 'session expired: login page, 200' },
  { id: 'session-gone', title: "session expired: the site's own answer" },
  { id: 'csrf', title: 'CSRF/XSRF refused (every time)' },
  { id: 'csrf-once', title: 'CSRF/XSRF refused once (stale token)' },
  { id: 'forbidden', title: '403 permission' },
  { id: 'not-found', title: '404' },
  { id: 'conflict', title: '409 / duplicate name' },
  { id: 'invalid', title: "400 validation, the site's own body" },
  { id: 'rate-limited', title: '429 + Retry-After: 30' },
  { id: 'server-500', title: '500, HTML page' },
  { id: 'server-502', title: '502, HTML page' },
  { id: 'server-503', title: '503, HTML page' },
  { id: 'malformed', title: 'malformed JSON (Zenodo: HTML)' },
  { id: 'no-token-field', title: 'body without the token field' },
  { id: 'empty', title: 'empty body' },
  { id: 'hang', title: 'answer never ends (timeout 300 ms)' },
  { id: 'reset', title: 'connection reset' },
  { id: 'large', title: '~5 MB answer' },
  { id: 'lost-timeout', title: 'site made it, answer timed out' },
  { id: 'lost-reset', title: 'site made it, connection dropped' },
  { id: 'lost-502', title: 'site made it, 502 page instead' },
  { id: 'lost-cut', title: 'site made it, answer cut off' },
  { id: 'lost-no-token', title: 'site made it, answer without the token' },
  { id: 'lost-empty', title: 'site made it, empty answer' },
];

/** The client timeout of the hang cells. */
export const HANG_TIMEOUT_MS = 300;
export const RETRY_AFTER_SECONDS = 30;
/** About 5 MB of filler for the large-answer cells. */
export const LARGE_BYTES = 5 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------------------------------
// Descriptors.

/** Which requests: a method and a pathname (string, equal) or a pattern over pathname + query (RegExp), as the harness. */
export interface Target {
  method: string;
  path: string | RegExp;
}

/** An answer the site (or something in front of it) gives instead of its own. */
export type FaultAnswer = Omit<Fault, 'method' | 'path' | 'times'>;

export interface StageContext<S extends Harness = Harness> {
  site: S;
  /** The signed-in user's Cookie header. */
  cookie: string;
}

type Answer<S extends Harness> = FaultAnswer | ((ctx: StageContext<S>) => Promise<FaultAnswer>);

export interface SiteCase<S extends Harness = Harness> {
  id: SiteId;
  adapter: Adapter;
  /** The product name the sentences must name. */
  product: string;
  start(): Promise<S>;
  /** Two tokens that exist before the cell runs, so a list and a "what is new" check have something to tell apart. */
  seed(site: S): void;
  signIn(site: S): Promise<string>;
  input: MintInput;
  /** The user's tokens (Frappe: key generations, each of which makes a new credential). */
  tokens(site: S): number;
  /** Whether a minted secret is one the site holds for the user now. */
  holds(site: S, secret: string): boolean;
  /** Every secret the site holds now. */
  secrets(site: S): string[];
  /** Secrets an answer's body carries (tokens, CSRF tokens). */
  secretsIn(body: string): string[];
  /** The cookies that hold the session or an anti-forgery token (the others, like Frappe's `user_id`, are not secret). */
  secretCookies: readonly string[];
  create: Target[];
  /** The requests whose answer carries the new secret: the create, or Zenodo's token page. */
  answer: Target[];
  /** The form / CSRF page a mint reads before the create; absent when it reads none. */
  form?: Target[];
  list: Target[];
  /** The status of a successful answer on `answer` targets. */
  okStatus: number;
  /** The site's own answers. `phase` says where the answer goes when it differs between create, form and list. */
  answers: {
    unauthorized: FaultAnswer;
    loginRedirect: FaultAnswer;
    /** Path of the site's real sign-in page, fetched for the "login page, 200" cells. */
    loginPage: string;
    forbidden: FaultAnswer;
    notFound: FaultAnswer;
    rateLimited: FaultAnswer;
    conflict?: FaultAnswer;
    invalid?: Answer<S>;
    csrf?: Answer<S>;
    /** Arranges a one-time CSRF refusal the site's own way; default: `csrf` once. */
    csrfOnce?: (site: S) => void;
    malformed(phase: Phase): FaultAnswer;
    noTokenField(phase: Phase): FaultAnswer;
    empty(phase: Phase): FaultAnswer;
  };
  /** The create answer without its token field (for "site made it, answer without the token"). */
  withoutToken(response: PageResponse): PageResponse;
  /** Create requests the adapter may send for a fault, by its documented retries (default 1). */
  creates?: Partial<Record<FaultId, number>>;
}

const NAME = 'tokenmint-fault-cell';

const JSON_TYPE = 'application/json';
const HTML_TYPE = 'text/html;charset=UTF-8';

function jsonAnswer(status: number, body: unknown, contentType = JSON_TYPE): FaultAnswer {
  return { status, contentType, body: JSON.stringify(body) };
}

function htmlAnswer(status: number, body: string): FaultAnswer {
  return { status, contentType: HTML_TYPE, body };
}

/** A JSON text cut off in the middle, as a dropped proxy connection leaves it. */
function cutJson(body: unknown): string {
  const text = JSON.stringify(body);
  return text.slice(0, Math.floor(text.length * 0.6));
}

/** A minimal page: what a proxy or a gateway answers. */
function shell(title: string, content: string): string {
  return `<!DOCTYPE html>\n<html><head><title>${title}</title></head><body>${content}</body></html>`;
}

const everyPath: RegExp = /^\//;

async function getText(origin: string, path: string, headers: Record<string, string> = {}): Promise<string> {
  const response = await fetch(new URL(path, origin), { headers, redirect: 'manual' });
  return response.text();
}

// ---------------------------------------------------------------------------------------------------------------------
// GoodData.

const GD_USER = 'demo';
const gdTokens = `/api/v1/entities/users/${GD_USER}/apiTokens`;

function problem(status: number, title: string, detail: string): FaultAnswer {
  return jsonAnswer(status, { title, status, detail, traceId: '5f1c9a7e3b2d4c10' }, 'application/problem+json');
}

/** A bearer token and the secret inside it (base64 of `userId:tokenId:secret`): neither may show. */
function bearerForms(bearer: string): string[] {
  const inside = Buffer.from(bearer, 'base64').toString('utf8').split(':').slice(2).join(':');
  return inside.length >= 16 ? [bearer, inside] : [bearer];
}

export const gooddataCase: SiteCase<GoodDataSite> = {
  id: 'gooddata',
  adapter: gooddata,
  product: 'GoodData',
  start: () => startGoodData(),
  seed: (site) => site.addTokens(GD_USER, 2),
  signIn: (site) => gooddataSignIn(site, GD_USER, 'demo123'),
  input: mintInput({ name: NAME }),
  tokens: (site) => site.tokens(GD_USER).length,
  holds: (site, secret) => site.tokens(GD_USER).some((token) => token.bearerToken === secret),
  secrets: (site) => site.tokens(GD_USER).flatMap((token) => bearerForms(token.bearerToken)),
  secretsIn: (body) => [...body.matchAll(/"bearerToken"\s*:\s*"([^"]+)"/g)].flatMap((match) => bearerForms(match[1]!)),
  secretCookies: ['SPRING_SEC_SECURITY_CONTEXT', 'SPRING_SEC_OAUTH2_AUTHZ_CLIENT'],
  create: [{ method: 'POST', path: gdTokens }],
  answer: [{ method: 'POST', path: gdTokens }],
  list: [{ method: 'GET', path: gdTokens }],
  okStatus: 201,
  answers: {
    unauthorized: { status: 401, contentType: 'text/plain;charset=UTF-8', body: '/appLogin' },
    loginRedirect: { status: 302, headers: { location: '/oauth2/authorization/127.0.0.1' } },
    loginPage: '/login?redirectTo=%2F',
    forbidden: problem(403, 'Forbidden', 'Permission SELF_CREATE_TOKEN is required to create API tokens.'),
    notFound: problem(404, 'Not Found', `User ${GD_USER} not found.`),
    rateLimited: problem(429, 'Too Many Requests', 'Rate limit exceeded.'),
    conflict: problem(409, 'Conflict', `API token ${NAME} already exists.`),
    invalid: problem(400, 'Bad Request', 'Invalid id: it must match ^(?!\\.)[.A-Za-z0-9_-]{1,255}$.'),
    malformed: (phase) =>
      phase === 'list'
        ? { status: 200, contentType: JSON_TYPE, body: cutJson({ data: [{ id: 'seeded-0000', type: 'apiToken' }], links: {} }) }
        : { status: 201, contentType: JSON_TYPE, body: cutJson({ data: { id: NAME, type: 'apiToken', attributes: { bearerToken: 'ZGVtbzp0b2tlbm1pbnQ6c2VjcmV0' } } }) },
    noTokenField: (phase) =>
      phase === 'list'
        ? jsonAnswer(200, { links: { self: 'x' } })
        : jsonAnswer(201, { data: { id: NAME, type: 'apiToken', attributes: {} }, links: { self: 'x' } }),
    empty: (phase) => ({ status: phase === 'list' ? 200 : 201, contentType: JSON_TYPE, body: '' }),
  },
  withoutToken: (response) => rewriteJson(response, (body) => {
    const data = (body as { data?: { attributes?: Record<string, unknown> } }).data;
    if (data?.attributes) delete data.attributes.bearerToken;
  }),
};

// ---------------------------------------------------------------------------------------------------------------------
// CDS.

const CDS_USER = 'jdoe';
const cdsConsumers = `/cdsapi/user/${CDS_USER}/auth/consumer`;

function cdsError(status: number, id: number, message: string, from?: string): FaultAnswer {
  return jsonAnswer(status, { id, message, ...(from !== undefined && { from }), request_id: '0b6f2a9c-fault' });
}

export const cdsCase: SiteCase<CdsSite> = {
  id: 'cds',
  adapter: cds,
  product: 'CDS',
  start: () => startCds(),
  seed: (site) => {
    site.addToken(CDS_USER, 'seeded-1');
    site.addToken(CDS_USER, 'seeded-2');
  },
  signIn: (site) => cdsSignIn(site, CDS_USER, 'jdoe123'),
  input: mintInput({ name: NAME, scopes: ['Project'], expiresInDays: 15 }),
  tokens: (site) => site.tokens(CDS_USER).length,
  holds: (site, secret) => site.tokens(CDS_USER).some((token) => token.signinToken === secret),
  secrets: (site) => site.tokens(CDS_USER).map((token) => token.signinToken),
  secretsIn: (body) => [...body.matchAll(/"token"\s*:\s*"([^"]+)"/g)].map((match) => match[1]!),
  secretCookies: ['jwt_token', 'xsrf_token'],
  create: [{ method: 'POST', path: cdsConsumers }],
  answer: [{ method: 'POST', path: cdsConsumers }],
  // The list read before the create is also what issues the XSRF cookie the create echoes.
  form: [{ method: 'GET', path: cdsConsumers }],
  list: [{ method: 'GET', path: cdsConsumers }],
  okStatus: 201,
  answers: {
    unauthorized: cdsError(401, 10, 'not authenticated'),
    loginRedirect: { status: 302, headers: { location: '/auth/signin' } },
    loginPage: '/auth/signin',
    // CDS has one 403 for everything (id 11); on a list it is "not yours".
    forbidden: cdsError(403, 11, 'forbidden'),
    notFound: cdsError(404, 38, 'resource not found', `/user/${CDS_USER}/auth/consumer not found`),
    rateLimited: cdsError(429, 1, 'too many requests'),
    invalid: cdsError(400, 74, 'wrong request', 'invalid given name'),
    csrf: cdsError(403, 11, 'forbidden'),
    // The site's own way: the API's cache forgets the session's XSRF token, so the next write is refused.
    csrfOnce: (site) => site.dropXsrf(CDS_USER),
    malformed: (phase) =>
      phase !== 'mint'
        ? { status: 200, contentType: JSON_TYPE, body: cutJson([{ id: 'c-1', name: 'seeded-1', type: 'builtin' }, { id: 'c-2', name: 'seeded-2', type: 'builtin' }]) }
        : { status: 201, contentType: JSON_TYPE, body: cutJson({ token: 'eyJhbGciOiJSUzUxMiJ9.eyJDb25zdW1lcklEIjoiYyJ9.c2ln', consumer: { id: 'c-3', name: NAME, type: 'builtin' } }) },
    noTokenField: (phase) =>
      phase !== 'mint' ? jsonAnswer(200, { consumers: [] }) : jsonAnswer(201, { consumer: { id: 'c-3', name: NAME, type: 'builtin' } }),
    empty: (phase) => ({ status: phase !== 'mint' ? 200 : 201, contentType: JSON_TYPE, body: '' }),
  },
  withoutToken: (response) => rewriteJson(response, (body) => void delete (body as { token?: unknown }).token),
  // A 403 id 11 is retried once after a read that renews the XSRF cookie (contracts/cds.md, "retry once").
  creates: { csrf: 2, 'csrf-once': 2 },
};

// ---------------------------------------------------------------------------------------------------------------------
// Frappe.

const FRAPPE_USER = 'jane@example.com';
const GENERATE = /^\/api\/method\/frappe\.core\.(doctype\.user\.user\.generate_keys|api\.auth\.generate_api_keys)$/;

/** Frappe's v1 error body: `exc_type` plus `_server_messages`, a JSON string of JSON strings. */
function frappeError(status: number, excType: string, message?: string): FaultAnswer {
  const body: Record<string, string> = { exc_type: excType };
  if (message !== undefined) body._server_messages = JSON.stringify([JSON.stringify({ message, title: 'Message', indicator: 'red' })]);
  return jsonAnswer(status, body);
}

export const frappeCase: SiteCase<FrappeSite> = {
  id: 'frappe',
  adapter: frappe,
  product: 'Frappe',
  start: () => startFrappe(),
  // Jane has a pair already, so the list shows one and a mint replaces its secret (she agreed: `replace`).
  seed: (site) => void site.seedKeys(FRAPPE_USER),
  signIn: (site) => frappeSignIn(site, FRAPPE_USER, 'jane123'),
  input: mintInput({ replace: true }),
  tokens: (site) => site.generations(FRAPPE_USER),
  holds: (site, secret) => {
    const keys = site.keys(FRAPPE_USER);
    return keys !== null && secret === `${keys.apiKey}:${keys.apiSecret}`;
  },
  secrets: (site) => {
    const keys = site.keys(FRAPPE_USER);
    return keys ? [keys.apiSecret, `${keys.apiKey}:${keys.apiSecret}`] : [];
  },
  secretsIn: (body) => [
    ...[...body.matchAll(/"api_secret"\s*:\s*"([^"*]+)"/g)].map((match) => match[1]!),
    ...[...body.matchAll(/csrf_token\s*=\s*"([^"]+)"/g)].map((match) => match[1]!),
  ],
  secretCookies: ['sid'],
  create: [{ method: 'POST', path: GENERATE }],
  answer: [{ method: 'POST', path: GENERATE }],
  form: [{ method: 'GET', path: /^\/(app|desk)$/ }],
  list: [{ method: 'GET', path: /^\/api\/resource\/User\// }],
  okStatus: 200,
  answers: {
    unauthorized: frappeError(401, 'AuthenticationError', 'Session expired'),
    loginRedirect: { status: 302, headers: { location: '/login?redirect-to=%2Fapp' } },
    loginPage: '/login?redirect-to=%2Fapp',
    forbidden: frappeError(403, 'PermissionError', 'This action is only allowed for System Manager'),
    notFound: frappeError(404, 'DoesNotExistError', 'Failed to get method for command'),
    rateLimited: frappeError(429, 'TooManyRequestsError', 'You hit the rate limit because of too many requests. Please try after sometime.'),
    // Saving the User record clashed (contract §8: 409 DuplicateEntryError / NameError).
    conflict: frappeError(409, 'DuplicateEntryError', 'User jane@example.com already exists'),
    // Frappe's validation failure is 417 ValidationError (contract §8), not 400.
    invalid: frappeError(417, 'ValidationError', 'Row #1: Role Accounts User is not allowed for this user'),
    csrf: frappeError(400, 'CSRFTokenError', 'Invalid Request'),
    malformed: (phase) =>
      phase === 'form'
        ? htmlAnswer(200, '<!DOCTYPE html><html><head><title>Frappe</title></head><body><script>\n\twindow.frappe = window.frappe || {};\n\tfrappe.boot = {"user": {"name": "jane@exa')
        : phase === 'list'
          ? { status: 200, contentType: JSON_TYPE, body: cutJson({ data: { name: FRAPPE_USER, api_key: 'abcdef0123456789', roles: [{ role: 'System Manager' }] } }) }
          : { status: 200, contentType: JSON_TYPE, body: cutJson({ message: { api_key: 'abcdef0123456789', api_secret: 'fedcba9876543210' } }) },
    noTokenField: (phase) =>
      phase === 'form'
        ? htmlAnswer(200, shell('Frappe', '<h1>Frappe desk</h1><script>window.frappe = {}; frappe.boot = {};</script>'))
        : phase === 'list'
          ? jsonAnswer(200, { data: {} })
          : jsonAnswer(200, { message: { api_key: 'abcdef0123456789' } }),
    empty: (phase) => ({ status: 200, contentType: phase === 'form' ? HTML_TYPE : JSON_TYPE, body: '' }),
  },
  withoutToken: (response) => rewriteJson(response, (body) => {
    const message = (body as { message?: Record<string, unknown> }).message;
    if (message) delete message.api_secret;
  }),
  // Documented retries that Frappe refused before acting: a CSRFTokenError once with a fresh token; a 404 on the classic
  // path is asked again on the 2026 path.
  creates: { csrf: 2, 'csrf-once': 2, 'not-found': 2 },
};

// ---------------------------------------------------------------------------------------------------------------------
// Zenodo.

const ZENODO_USER = 'demo@example.org';
const SETTINGS = '/account/settings/applications/';
const NEW_TOKEN = `${SETTINGS}tokens/new/`;
const TOKEN_PAGE = /^\/account\/settings\/applications\/tokens\/\d+\/$/;

function zenodoPage(title: string, content: string): string {
  return `<!doctype html>\n<html lang="en" dir="ltr">\n<head><meta charset="utf-8"><title>${title} | Zenodo</title></head>\n<body>\n<main class="ui container">\n${content}\n</main>\n</body>\n</html>`;
}

/** The site's own new-token form, as a signed-in user gets it. */
async function zenodoForm({ site, cookie }: StageContext): Promise<FaultAnswer> {
  return htmlAnswer(200, await getText(site.origin, NEW_TOKEN, { cookie }));
}

/** The site's own answer to a name it refuses: the form again, with the red label under the name. */
async function zenodoNameRefused({ site, cookie }: StageContext): Promise<FaultAnswer> {
  const form = await getText(site.origin, NEW_TOKEN, { cookie });
  const csrf = /name="csrf_token" type="hidden" value="([^"]+)"/.exec(form)?.[1] ?? '';
  const response = await fetch(new URL(NEW_TOKEN, site.origin), {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ name: ' ', csrf_token: csrf }),
    redirect: 'manual',
  });
  return htmlAnswer(200, await response.text());
}

export const zenodoCase: SiteCase<ZenodoSite> = {
  id: 'zenodo',
  adapter: zenodo,
  product: 'Zenodo',
  start: () => startZenodo(),
  seed: (site) => {
    site.addToken(ZENODO_USER, 'seeded-1', ['deposit:write']);
    site.addToken(ZENODO_USER, 'seeded-2');
  },
  signIn: (site) => zenodoSignIn(site, ZENODO_USER, 'demo123'),
  input: mintInput({ name: NAME, scopes: ['deposit:write'] }),
  tokens: (site) => site.tokens(ZENODO_USER).length,
  holds: (site, secret) => site.tokens(ZENODO_USER).some((token) => token.accessToken === secret),
  secrets: (site) => site.tokens(ZENODO_USER).map((token) => token.accessToken),
  secretsIn: (body) => [
    ...[...body.matchAll(/<code[^>]*>\s*([A-Za-z0-9]{60})\s*<\/code>/g)].map((match) => match[1]!),
    ...[...body.matchAll(/name="csrf_token"[^>]*value="([^"]+)"/g)].map((match) => match[1]!),
  ],
  secretCookies: ['session'],
  create: [{ method: 'POST', path: NEW_TOKEN }],
  // The create answers 302 → the token page, which shows the secret once: that page is the create's answer.
  answer: [{ method: 'GET', path: TOKEN_PAGE }],
  form: [{ method: 'GET', path: NEW_TOKEN }],
  list: [{ method: 'GET', path: SETTINGS }],
  okStatus: 200,
  answers: {
    // invenio-rest's 401 body (an SSO proxy in front of the settings pages answers so too).
    unauthorized: jsonAnswer(401, { status: 401, message: 'The server could not verify that you are authorized to access the URL requested.' }),
    loginRedirect: { status: 302, headers: { location: `/login/?next=${encodeURIComponent(SETTINGS)}` } },
    loginPage: `/login/?next=${encodeURIComponent(SETTINGS)}`,
    forbidden: htmlAnswer(403, zenodoPage('Forbidden', '<h1>Permission required</h1>\n<p>You do not have permission to access this page.</p>')),
    notFound: htmlAnswer(404, zenodoPage('Page not found', '<h1>Page not found</h1>\n<p>The page you are looking for could not be found.</p>')),
    rateLimited: htmlAnswer(429, zenodoPage('Too many requests', '<h1>Too many requests</h1>\n<p>Please slow down.</p>')),
    invalid: zenodoNameRefused,
    // A CSRF failure: the same form back, with no message at all (contract: "Scope errors and CSRF errors are never shown").
    csrf: zenodoForm,
    malformed: (phase) =>
      htmlAnswer(
        200,
        phase === 'list'
          ? `<!doctype html>\n<html><head><title>Applications | Zenodo</title></head><body><main><section aria-label="Personal access tokens"><a class="ui button" href="${NEW_TOKEN}`
          : phase === 'form'
            ? `<!doctype html>\n<html><head><title>New personal access token | Zenodo</title></head><body><main><form method="POST"><input id="name" name="name" type="text"><input id="csrf_token" name="csrf_token" type="hidden" value="`
            : `<!doctype html>\n<html><head><title>${NAME} | Zenodo</title></head><body><main><h3>Access token</h3><code class="word-break-all">q8Xc2LwR7mVn`,
      ),
    noTokenField: (phase) =>
      htmlAnswer(
        200,
        phase === 'list'
          ? zenodoPage('Applications', '<section aria-label="Developer applications"><a href="/account/settings/applications/clients/new/">New application</a></section>')
          : phase === 'form'
            ? zenodoPage('New personal access token', '<form method="POST"><input id="name" name="name" type="text" maxlength="40" required><button type="submit">Create</button></form>')
            : // The token page as it shows once the shown-once flag is gone: no secret, the "lost" warning.
              zenodoPage(NAME, `<h2>${NAME}</h2>\n<p class="ui warning message">If you lost or forgot this token, delete it and create a new one.</p>\n<form method="POST"><input id="name" name="name" value="${NAME}"><input id="csrf_token" name="csrf_token" type="hidden" value="x.y.z"><button type="submit" name="delete">Delete</button></form>`),
      ),
    empty: () => ({ status: 200, contentType: HTML_TYPE, body: '' }),
  },
  // In the browser a redirect is opaque: status 0, no Location. That is the create's answer without the token's id.
  withoutToken: () => ({ status: 0, headers: {}, body: '' }),
  // A CSRF refusal (the form sent back) is retried once with a fresh form (contract: "retry once, then report").
  creates: { csrf: 2, 'csrf-once': 2 },
};

// ---------------------------------------------------------------------------------------------------------------------
// Insight.io.

const INSIGHT_USER = 'userpass@jane@example.com';

/** Play's "Action Not Found" page. */
const actionNotFound = (request: string) =>
  shell('Action Not Found', `<h1>Action Not Found</h1><p>For request '${request}'</p>`);

/** Play's CSRF filter refusal, as the site answers a cookie POST without the bypass header. */
async function playCsrfPage({ site, cookie }: StageContext): Promise<FaultAnswer> {
  const response = await fetch(new URL('/api/token', site.origin), { method: 'POST', headers: { cookie }, redirect: 'manual' });
  return { status: response.status, contentType: response.headers.get('content-type') ?? HTML_TYPE, body: await response.text() };
}

export const insightioCase: SiteCase<InsightIoSite> = {
  id: 'insightio',
  adapter: insightio,
  product: 'Insight.io',
  start: () => startInsightIo(),
  // A minute old: tokens made just before a create would look like its own to the "made since" check.
  seed: (site) => void site.addTokens(INSIGHT_USER, 2, 60_000),
  signIn: (site) => insightioSignIn(site, 'jane@example.com', 'jane123'),
  input: mintInput({}),
  tokens: (site) => site.tokens(INSIGHT_USER).length,
  holds: (site, secret) => site.tokens(INSIGHT_USER).some((token) => token.apiToken === secret),
  secrets: (site) => site.tokens(INSIGHT_USER).map((token) => token.apiToken),
  secretsIn: (body) => [...body.matchAll(/"(?:token|apiToken)"\s*:\s*"([^"]+)"/g)].map((match) => match[1]!),
  // The REST path, and the RPC-style path older deployments have (asked after a 404).
  secretCookies: ['id'],
  create: [
    { method: 'POST', path: '/api/token' },
    { method: 'GET', path: '/api/createApiToken' },
  ],
  answer: [
    { method: 'POST', path: '/api/token' },
    { method: 'GET', path: '/api/createApiToken' },
  ],
  list: [
    { method: 'GET', path: '/api/token' },
    { method: 'GET', path: '/api/getApiTokens' },
  ],
  okStatus: 200,
  answers: {
    unauthorized: jsonAnswer(401, { error: 'Credentials required' }),
    loginRedirect: { status: 303, headers: { location: '/login' } },
    loginPage: '/login',
    forbidden: jsonAnswer(403, { error: 'Forbidden' }),
    notFound: htmlAnswer(404, actionNotFound('POST /api/token')),
    rateLimited: jsonAnswer(429, { error: 'Too many requests' }),
    csrf: playCsrfPage,
    malformed: (phase) =>
      phase === 'list'
        ? { status: 200, contentType: JSON_TYPE, body: cutJson([{ uid: INSIGHT_USER, apiToken: 'ab'.repeat(128), created: 1, lastUsed: 1 }]) }
        : { status: 200, contentType: JSON_TYPE, body: cutJson({ token: 'cd'.repeat(128) }) },
    noTokenField: (phase) => jsonAnswer(200, phase === 'list' ? { tokens: [] } : {}),
    empty: () => ({ status: 200, contentType: JSON_TYPE, body: '' }),
  },
  withoutToken: (response) => rewriteJson(response, (body) => void delete (body as { token?: unknown }).token),
  // A 404 on the REST path is asked again on the RPC-style path of older deployments (contract §10).
  creates: { 'not-found': 2 },
};

export const SITE_CASES = [gooddataCase, cdsCase, frappeCase, zenodoCase, insightioCase] as unknown as readonly SiteCase[];

// ---------------------------------------------------------------------------------------------------------------------
// Building a cell.

/** How one cell is staged. */
export interface Staging {
  /** Harness faults: injected before the adapter runs, or, with `from`, just before the first request matching it. */
  faults: Fault[];
  from?: Target[];
  /** Forget the session (the cookie jar), when the faults would be injected. */
  dropSession?: true;
  /** A client-side fault: the site sees the request and acts on it, and then its answer is lost or changed. */
  client?: { targets: Target[]; fault: ClientFault };
  arrange?: () => void;
  timeoutMs?: number;
  /** How many create requests the adapter may send. */
  creates: number;
}

export function matches(targets: readonly Target[], request: { method: string; path: string }): boolean {
  const url = new URL(request.path, 'http://x');
  return targets.some(
    (target) =>
      target.method.toUpperCase() === request.method.toUpperCase() &&
      (typeof target.path === 'string' ? target.path === url.pathname : target.path.test(url.pathname + url.search)),
  );
}

/** The same answer on each target, `times` times per target. */
function on(targets: readonly Target[], answer: Omit<Fault, 'method' | 'path'>, times = Infinity): Fault[] {
  return targets.map((target) => ({ ...answer, method: target.method, path: target.path, times }));
}

const PAGE_500 = (cookie: string) =>
  shell(
    '500 Internal Server Error',
    `<h1>Internal Server Error</h1><pre>Traceback (most recent call last):\n  File "/srv/app/views.py", line 212, in create_token\nTypeError: undefined is not a function\n    at Object.createToken (/srv/app/tokens.js:41:9)\n[object Object]\nRequest headers: Cookie: ${cookie}</pre>`,
  );
const PAGE_502 = shell('502 Bad Gateway', '<center><h1>502 Bad Gateway</h1></center><hr><center>nginx/1.25.3</center>');
const PAGE_503 = shell('503 Service Unavailable', '<h1>Service Unavailable</h1><p>The server is temporarily down for maintenance. Please try again later.</p>');

/** The error the page client gives when a request's answer never arrives, as `responseOf` words it for this origin. */
export function transportError(origin: string, failure: 'timeout' | 'network', timeoutMs = HANG_TIMEOUT_MS): SiteError {
  try {
    responseOf(origin, { ok: false, failure }, timeoutMs);
  } catch (error) {
    return error as SiteError;
  }
  return siteError('internal', 'unreachable', 'unreachable');
}

/** The answer with about 5 MB more, in a place the adapter does not read: a JSON field, or a block of page text. */
export function enlarge(response: PageResponse): PageResponse {
  const filler = 'lorem ipsum dolor sit amet '.repeat(Math.ceil(LARGE_BYTES / 27));
  const body = jsonOf(response.body);
  if (Array.isArray(body)) return { ...response, body: JSON.stringify([...body, { padding: filler }]) };
  if (typeof body === 'object' && body !== null) return { ...response, body: JSON.stringify({ ...body, padding: filler }) };
  const at = response.body.search(/<main\b[^>]*>/i);
  const cut = at < 0 ? 0 : response.body.indexOf('>', at) + 1;
  return { ...response, body: `${response.body.slice(0, cut)}\n<div class="filler"><p>${filler}</p></div>\n${response.body.slice(cut)}` };
}

function jsonOf(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function rewriteJson(response: PageResponse, change: (body: unknown) => void): PageResponse {
  const body = jsonOf(response.body);
  change(body);
  return { ...response, body: JSON.stringify(body) };
}

/** Where a phase's faults go, and from which request on a session counts as expired. */
function where(c: SiteCase, phase: Phase, fault: FaultId): { targets: Target[]; from?: Target[] } {
  const bodyFault = ['malformed', 'no-token-field', 'empty', 'large'].includes(fault);
  switch (phase) {
    case 'mint':
      return { targets: bodyFault ? c.answer : c.create, from: c.create };
    case 'form':
      if (!c.form) throw new Error(`${c.id} reads no form`);
      return { targets: c.form, from: c.form };
    case 'list':
      return { targets: c.list };
  }
}

async function answerOf<S extends Harness>(answer: Answer<S> | undefined, ctx: StageContext<S>, what: string): Promise<FaultAnswer> {
  if (answer === undefined) throw new Error(`no ${what} answer`);
  return typeof answer === 'function' ? answer(ctx) : answer;
}

/** The staging of one cell: which faults go where, and how many create requests the adapter may send. */
export async function stage(c: SiteCase, phase: Phase, fault: FaultId, ctx: StageContext): Promise<Staging> {
  const { targets, from } = where(c, phase, fault);
  const creates = phase === 'list' ? 0 : (c.creates?.[fault] ?? 1);
  const base = { creates };
  const { answers } = c;
  const origin = ctx.site.origin;
  switch (fault) {
    // A session that expires is gone for every request after it: the fault covers every path from then on.
    case 'session-401':
      return { ...base, faults: [{ path: everyPath, times: Infinity, ...answers.unauthorized }], ...(from && { from }) };
    case 'session-redirect':
      return { ...base, faults: [{ path: everyPath, times: Infinity, ...answers.loginRedirect }], ...(from && { from }) };
    case 'session-html': {
      const login = htmlAnswer(200, await getText(origin, answers.loginPage));
      return { ...base, faults: [{ path: everyPath, times: Infinity, ...login }], ...(from && { from }) };
    }
    case 'session-gone':
      return { ...base, faults: [], dropSession: true, ...(from && { from }) };
    case 'csrf':
      return { ...base, faults: on(targets, await answerOf(answers.csrf, ctx, 'csrf')) };
    case 'csrf-once':
      if (answers.csrfOnce) return { ...base, faults: [], arrange: () => answers.csrfOnce!(ctx.site) };
      return { ...base, faults: on(targets, await answerOf(answers.csrf, ctx, 'csrf'), 1) };
    case 'forbidden':
      return { ...base, faults: on(targets, answers.forbidden) };
    case 'not-found':
      return { ...base, faults: on(targets, answers.notFound) };
    case 'conflict':
      return { ...base, faults: on(targets, answers.conflict ?? { status: 409 }) };
    case 'invalid':
      return { ...base, faults: on(targets, await answerOf(answers.invalid, ctx, 'invalid')) };
    case 'rate-limited':
      return { ...base, faults: on(targets, { ...answers.rateLimited, headers: { 'retry-after': String(RETRY_AFTER_SECONDS) } }) };
    case 'server-500':
      return { ...base, faults: on(targets, htmlAnswer(500, PAGE_500(ctx.cookie))) };
    case 'server-502':
      return { ...base, faults: on(targets, htmlAnswer(502, PAGE_502)) };
    case 'server-503':
      return { ...base, faults: on(targets, htmlAnswer(503, PAGE_503)) };
    case 'malformed':
      return { ...base, faults: on(targets, answers.malformed(phase)) };
    case 'no-token-field':
      return { ...base, faults: on(targets, answers.noTokenField(phase)) };
    case 'empty':
      return { ...base, faults: on(targets, answers.empty(phase)) };
    case 'hang':
      return { ...base, faults: on(targets, { hang: true }), timeoutMs: HANG_TIMEOUT_MS };
    case 'reset':
      return { ...base, faults: on(targets, { reset: true }) };
    case 'large':
      return { ...base, faults: [], client: { targets, fault: { kind: 'rewrite', answer: enlarge } } };
    // The site acted on the create; then its answer was lost or changed on the way back.
    case 'lost-timeout':
      return { ...base, faults: [], client: { targets: c.create, fault: { kind: 'lose', error: transportError(origin, 'timeout', 15_000) } } };
    case 'lost-reset':
      return { ...base, faults: [], client: { targets: c.create, fault: { kind: 'lose', error: transportError(origin, 'network') } } };
    case 'lost-502':
      return { ...base, faults: [], client: { targets: c.create, fault: { kind: 'rewrite', answer: () => ({ status: 502, headers: { 'content-type': HTML_TYPE }, body: PAGE_502 }) } } };
    case 'lost-cut':
      return { ...base, faults: [], client: { targets: c.create, fault: { kind: 'rewrite', answer: (r) => ({ ...r, body: r.body.slice(0, Math.floor(r.body.length * 0.6)) }) } } };
    case 'lost-no-token':
      return { ...base, faults: [], client: { targets: c.create, fault: { kind: 'rewrite', answer: (r) => c.withoutToken(r) } } };
    case 'lost-empty':
      return { ...base, faults: [], client: { targets: c.create, fault: { kind: 'rewrite', answer: (r) => ({ ...r, body: '' }) } } };
  }
}

/** Wraps a client so it sends every request with the cell's time limit. */
export function timed(client: PageClient, timeoutMs: number | undefined): PageClient {
  if (timeoutMs === undefined) return client;
  return { origin: client.origin, request: (request: PageRequest) => client.request({ ...request, timeoutMs }) };
}
