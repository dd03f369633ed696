import { isUnclearOutcome, signedOut, siteError, SiteError } from '../core/errors.ts';
import {
  commonFailure,
  errorDetail,
  isRecord,
  jsonOrUndefined,
  looksLikeHtml,
  readJson,
  unexpectedAnswer,
} from '../core/http.ts';
import type { PageClient } from '../core/page-client.ts';
import type { HttpMethod, PageRequest, PageResponse } from '../core/page-request.ts';
import { mask, type SiteToken } from '../core/token.ts';
import type { Minted, Site, SiteUser } from './types.ts';
import { t } from '../core/i18n.ts';

/**
 * Insight.io (hosted and Enterprise): API access tokens of the signed-in user (contracts/insightio.md).
 *
 * Tokens have no name, no scope and no expiry, and the site lists them with their full values. So a token's id here
 * is a fingerprint (a SHA-256 prefix) and its name is the masked token: neither lets the secret out of the adapter.
 */

const NAME = 'Insight.io';
const PROFILE = '/api/user/profile';
const TOKEN = '/api/token';
/** Older deployments name the same calls RPC-style; a 404 on the REST path means "ask the old name". */
const LEGACY = { create: '/api/createApiToken', list: '/api/getApiTokens', revoke: '/api/revokeApiToken' } as const;

// Accept: SecureSocial answers a client that accepts JSON with 401 JSON, anyone else with a redirect to the login page.
// X-Requested-With: a bypass header of Play's CSRF filter, which guards cookie-authenticated POSTs.
const API_HEADERS = { Accept: 'application/json', 'X-Requested-With': 'XMLHttpRequest' };
const AUTH_HEADER = 'X-Auth-Token';
const CREDENTIALS_REQUIRED = 'Credentials required';
/** `<provider>@<userId>`, e.g. `userpass@jane@example.com`, `ldap@jdoe`, `github@octocat`. */
const UID = /^[A-Za-z0-9_-]+@\S+$/;
/** What may go into a header as a token: the site's own are 256 hex characters. */
const TOKEN_TEXT = /^[A-Za-z0-9._~+/=-]{16,4096}$/;
/** Long runs of token characters in a site's error text are cut out: a token must never reach a sentence. */
const TOKEN_LIKE = /[A-Za-z0-9+/=_-]{32,}/g;
const FINGERPRINT_HEX = 16;
/** The Date header has whole seconds only, and requests take a moment: a token the site dates up to this long before
 *  the create was sent still counts as made by it. */
const CREATE_SLACK_MS = 2_000;

interface ListedToken {
  token: string;
  created?: number;
  lastUsed?: number;
}

/** A request with a token alone (no cookies), as the calls that take `X-Auth-Token` want. */
function withToken(method: HttpMethod, path: string, token: string): PageRequest {
  return { method, path, headers: { ...API_HEADERS, [AUTH_HEADER]: token }, credentials: 'omit' };
}

/** With the session cookie, or with a token alone. */
function call(client: PageClient, method: HttpMethod, path: string, token?: string): Promise<PageResponse> {
  return client.request(token === undefined ? { method, path, headers: API_HEADERS } : withToken(method, path, token));
}

/** The profile with the token alone: the who-am-I that proves a token works. */
function checkRequest(secret: string): PageRequest {
  return withToken('GET', PROFILE, secret);
}

/** The REST path first; on 404 the RPC-style path of older deployments (contract §10). */
async function withLegacy(modern: () => Promise<PageResponse>, legacy: () => Promise<PageResponse>): Promise<PageResponse> {
  const response = await modern();
  return response.status === 404 ? legacy() : response;
}

function loginUrl(origin: string): string {
  return `${origin}/login`;
}

/** SecureSocial's answer to a request without valid credentials: `{"error": "Credentials required"}`, 401 (3.x) or 403 (2.x). */
function isCredentialsRequired(response: PageResponse): boolean {
  if (response.status !== 401 && response.status !== 403) return false;
  const body = jsonOrUndefined(response.body);
  return isRecord(body) && Object.keys(body).length === 1 && body.error === CREDENTIALS_REQUIRED;
}

function isSessionGone(response: PageResponse): boolean {
  // 0 and 3xx: the redirect to the login page that a client not accepting JSON would get.
  const { status } = response;
  return status === 401 || status === 0 || (status >= 300 && status < 400) || isCredentialsRequired(response);
}

/** Play's CSRF filter refuses with 403 and "No CSRF token found…" / "CSRF token check failed", as a page or as JSON. */
function isCsrfRefusal(response: PageResponse): boolean {
  return response.status === 403 && /csrf/i.test(response.body);
}

/** The body with anything token-like cut out, so that no sentence built from it can carry a secret. */
function scrubbed(response: PageResponse): PageResponse {
  return { ...response, body: response.body.replace(TOKEN_LIKE, '…') };
}

/** What a failed Insight.io call was doing, in the form the failure sentences take it. */
type Doing = 'insightio_doList' | 'insightio_doCheck' | 'insightio_doRevoke' | 'insightio_doMake';

/** Every failure of an Insight.io call. */
function failure(client: PageClient, answer: PageResponse, doingKey: Doing): SiteError {
  if (isSessionGone(answer)) return signedOut(NAME, loginUrl(client.origin));
  const response = scrubbed(answer);
  const detail = errorDetail(response);
  const doing = t(doingKey);
  if (isCsrfRefusal(response)) {
    return siteError(
      'csrf-refused',
      t('insightio_csrf', doing),
      t('site_reloadTab', NAME),
    );
  }
  switch (response.status) {
    case 403:
      return siteError(
        'forbidden',
        detail ? t('insightio_forbiddenDetail', doing, detail) : t('insightio_forbidden', doing),
        t('insightio_forbiddenNext'),
      );
    case 404:
      return siteError(
        'not-found',
        t('insightio_notFound', doing),
        t('insightio_notFoundNext'),
      );
    case 409:
      return siteError(
        'conflict',
        detail ? t('insightio_conflictDetail', doing, detail) : t('insightio_conflict', doing),
        t('site_reloadTab', NAME),
      );
    case 400:
      return siteError(
        'invalid',
        detail ? t('insightio_refusedDetail', doing, detail) : t('insightio_refused', doing),
        t('insightio_refusedNext'),
      );
  }
  return commonFailure(NAME, response);
}

function profileUser(body: unknown): SiteUser | null {
  // The documented profile shape, not just any JSON with an id: other products answer on /api/… too.
  if (!isRecord(body) || typeof body.uid !== 'string' || !UID.test(body.uid)) return null;
  if (!('display' in body) || !('avatarUrl' in body)) return null;
  const named = [body.name, body.display].find((value): value is string => typeof value === 'string' && value.trim() !== '');
  return { id: body.uid, name: named ?? body.uid };
}

/** The token in a create's answer (`{"token": …}`), or undefined when the answer is not one Insight.io would send. */
function createdToken(response: PageResponse): string | undefined {
  const body = looksLikeHtml(response) ? undefined : jsonOrUndefined(response.body);
  const token = isRecord(body) ? body.token : undefined;
  return typeof token === 'string' && TOKEN_TEXT.test(token) ? token : undefined;
}

function listedTokens(body: unknown): ListedToken[] | null {
  if (!Array.isArray(body)) return null;
  const tokens: ListedToken[] = [];
  for (const item of body) {
    if (!isRecord(item) || typeof item.apiToken !== 'string' || !TOKEN_TEXT.test(item.apiToken)) continue;
    const listed: ListedToken = { token: item.apiToken };
    if (typeof item.created === 'number' && Number.isFinite(item.created)) listed.created = item.created;
    if (typeof item.lastUsed === 'number' && Number.isFinite(item.lastUsed)) listed.lastUsed = item.lastUsed;
    tokens.push(listed);
  }
  return tokens;
}

/** Why a signed-in user gets no list: the server lists tokens only to a token (contract §6: cookie listing unconfirmed). */
function listNeedsToken(): SiteError {
  return siteError(
    'forbidden',
    t('insightio_listNeedsToken'),
    t('insightio_listNeedsTokenNext'),
  );
}

/** The user's tokens with the session cookie; the answer comes along for its Date header. */
async function fetchList(client: PageClient): Promise<{ tokens: ListedToken[]; response: PageResponse }> {
  const response = await withLegacy(
    () => call(client, 'GET', TOKEN),
    () => call(client, 'GET', LEGACY.list),
  );
  if (response.status !== 200) {
    // Credentials required while the profile still knows the session: the list wants a token, not a cookie.
    if (isCredentialsRequired(response) && (await sessionAlive(client))) throw listNeedsToken();
    throw failure(client, response, 'insightio_doList');
  }
  const tokens = listedTokens(readJson(NAME, response));
  if (!tokens) throw unexpectedAnswer(NAME, response);
  return { tokens, response };
}

async function sessionAlive(client: PageClient): Promise<boolean> {
  const response = await call(client, 'GET', PROFILE);
  return response.status === 200 && profileUser(jsonOrUndefined(response.body)) !== null;
}

/** A short SHA-256 prefix: stable, unique within a user's list, and telling nothing about the token. */
async function fingerprint(token: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token));
  const hex = [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
  return hex.slice(0, FINGERPRINT_HEX);
}

/** Epoch milliseconds as ISO text; nothing for a time JavaScript cannot represent. */
function isoTime(millis: number | undefined): string | undefined {
  if (millis === undefined) return undefined;
  const date = new Date(millis);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

async function siteToken(listed: ListedToken): Promise<SiteToken> {
  const token: SiteToken = { id: await fingerprint(listed.token), name: mask(listed.token) };
  const createdAt = isoTime(listed.created);
  const lastUsedAt = isoTime(listed.lastUsed);
  if (createdAt) token.createdAt = createdAt;
  if (lastUsedAt) token.lastUsedAt = lastUsedAt;
  return token;
}

/** The failures after which a create may or may not have happened: the token list has to tell. */


/**
 * Whether the list holds a token created since `startedAt` (local clock): dated by the site's clock, so the list's
 * own Date header says what "now" is there. undefined when the list cannot say.
 */
async function madeSince(client: PageClient, startedAt: number): Promise<boolean | undefined> {
  try {
    const { tokens, response } = await fetchList(client);
    const siteNow = Date.parse(response.headers.date ?? '');
    if (Number.isNaN(siteNow)) return undefined;
    const earliest = siteNow - (Date.now() - startedAt) - CREATE_SLACK_MS;
    return tokens.some((token) => token.created !== undefined && token.created >= earliest);
  } catch {
    return undefined; // the caller reports the original failure
  }
}

function orphaned(): SiteError {
  return siteError(
    'orphaned',
    t('insightio_orphaned'),
    t('insightio_orphanedNext'),
  );
}

/** A create whose outcome is unclear is never repeated (every create makes one more token): the list decides. */
async function settleUnclearCreate(client: PageClient, startedAt: number, cause: SiteError): Promise<never> {
  const made = await madeSince(client, startedAt);
  if (made) throw orphaned();
  if (made === undefined) {
    const next = t('insightio_checkList');
    throw siteError(cause.user.code, cause.user.sentence, next, cause.user.link);
  }
  throw cause;
}

async function minted(secret: string): Promise<Minted> {
  return { id: await fingerprint(secret), name: mask(secret), secret };
}

/**
 * Whether the token still authenticates on its own: the only way to learn that a revoke worked, since
 * DELETE /api/token answers 200 whatever happened.
 */
async function stillWorks(client: PageClient, token: string): Promise<boolean> {
  const response = await call(client, 'GET', PROFILE, token);
  if (response.status === 401 || isCredentialsRequired(response)) return false;
  if (response.status !== 200) throw failure(client, response, 'insightio_doCheck');
  if (!profileUser(readJson(NAME, response))) throw unexpectedAnswer(NAME, response);
  return true;
}

function notRevoked(): SiteError {
  return siteError(
    'server',
    t('insightio_notRevoked'),
    t('insightio_notRevokedNext'),
  );
}

/** Revoking is idempotent, so a revoke the site ignored is sent once more before giving up. */
async function revokeToken(client: PageClient, token: string): Promise<void> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const answer = await withLegacy(
      () => call(client, 'DELETE', TOKEN, token),
      () => call(client, 'GET', LEGACY.revoke, token),
    );
    if (!(await stillWorks(client, token))) return;
    if (answer.status !== 200) throw failure(client, answer, 'insightio_doRevoke');
  }
  throw notRevoked();
}

export const insightio: Site = {
  id: 'insightio',
  name: NAME,
  listsSecrets: true,
  knownHosts: [/^(www\.)?insight\.io$/],
  // Insight.io ships no CLI or SDK that names a variable: the product's name plus TOKEN.
  envName: 'INSIGHTIO_TOKEN',
  loginUrl,

  async probe(client) {
    const response = await call(client, 'GET', PROFILE);
    if (isCredentialsRequired(response)) return { kind: 'signed-out' };
    if (response.status !== 200 || looksLikeHtml(response)) return { kind: 'not-this-site' };
    const user = profileUser(jsonOrUndefined(response.body));
    return user ? { kind: 'signed-in', user } : { kind: 'not-this-site' };
  },

  async mint(client) {
    const startedAt = Date.now();
    let response: PageResponse;
    try {
      response = await withLegacy(
        () => call(client, 'POST', TOKEN),
        () => call(client, 'GET', LEGACY.create),
      );
    } catch (error) {
      if (isUnclearOutcome(error)) return settleUnclearCreate(client, startedAt, error);
      throw error;
    }
    if (response.status !== 200 && response.status !== 201) {
      const error = failure(client, response, 'insightio_doMake');
      if (isUnclearOutcome(error)) return settleUnclearCreate(client, startedAt, error);
      throw error;
    }
    // A success we cannot read may be a proxy's page rather than Insight.io's answer: the token list decides.
    const secret = createdToken(response);
    if (!secret) return settleUnclearCreate(client, startedAt, unexpectedAnswer(NAME, response));
    return minted(secret);
  },

  async list(client) {
    const { tokens } = await fetchList(client);
    return Promise.all(tokens.map(siteToken));
  },

  async revoke(client, _user, tokenId) {
    // The site revokes by value only: find the token behind the fingerprint in a fresh list.
    const { tokens } = await fetchList(client);
    for (const listed of tokens) {
      if ((await fingerprint(listed.token)) === tokenId) return revokeToken(client, listed.token);
    }
    // Not listed: it is gone already.
  },

  checkRequest,

  async verify(client, secret) {
    const response = await client.request(checkRequest(secret));
    if (response.status === 401 || isCredentialsRequired(response)) return null;
    if (response.status !== 200) throw failure(client, response, 'insightio_doCheck');
    const user = profileUser(readJson(NAME, response));
    if (!user) throw unexpectedAnswer(NAME, response);
    return user.id;
  },

  authHeader(secret) {
    return { name: AUTH_HEADER, value: secret };
  },
};
