import { isUnclearOutcome, signedOut, siteError, SiteError } from '../core/errors.ts';
import { commonFailure, errorDetail, isRecord, jsonOrUndefined, looksLikeHtml, pathPart, readJson, asText, unexpectedAnswer } from '../core/http.ts';
import type { PageClient } from '../core/page-client.ts';
import type { HttpMethod, PageRequest, PageResponse } from '../core/page-request.ts';
import type { SiteToken } from '../core/token.ts';
import type { Site, SiteUser } from './types.ts';
import { t } from '../core/i18n.ts';

/** GoodData Cloud and GoodData.CN: API tokens of the signed-in user (contracts/gooddata.md). */

const NAME = 'GoodData';
const PROFILE = '/api/v1/profile';
const PAGE_SIZE = 100;
/** Stops a site that always answers full pages from paging forever (100,000 tokens). */
const MAX_PAGES = 1000;

// Without X-Requested-With an expired session answers 302 to the identity provider instead of 401.
const API_HEADERS = { 'X-Requested-With': 'XMLHttpRequest', Accept: 'application/json' };

function call(client: PageClient, method: HttpMethod, path: string, body?: unknown): Promise<PageResponse> {
  return body === undefined
    ? client.request({ method, path, headers: API_HEADERS })
    : client.request({
        method,
        path,
        headers: { ...API_HEADERS, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
}

function tokensPath(user: SiteUser, tokenId?: string): string {
  const base = `/api/v1/entities/users/${pathPart(user.id)}/apiTokens`;
  return tokenId === undefined ? base : `${base}/${pathPart(tokenId)}`;
}

/** The who-am-I with the token alone: without cookies, the session would answer whatever the token. */
function checkRequest(secret: string): PageRequest {
  return {
    method: 'GET',
    path: PROFILE,
    headers: { ...API_HEADERS, Authorization: `Bearer ${secret}` },
    credentials: 'omit',
  };
}

function loginUrl(origin: string): string {
  // redirectTo must be relative: an absolute URL outside the organisation's allowed origins gets a 400.
  return `${origin}/appLogin?redirectTo=%2F`;
}

function isSessionGone(response: PageResponse): boolean {
  // 0 is the opaque redirect to the identity provider that a request without X-Requested-With would get.
  return response.status === 401 || response.status === 0 || (response.status >= 300 && response.status < 400);
}

function isJsonBody(response: PageResponse): boolean {
  return jsonOrUndefined(response.body) !== undefined;
}

/** An expired tenant answers 403 with `reason` (newer servers) or a `detail` about the contract (older ones). */
function expiredTenant(response: PageResponse): SiteError | null {
  if (response.status !== 403) return null;
  const body = jsonOrUndefined(response.body);
  if (!isRecord(body)) return null;
  const text = `${asText(body.reason)} ${asText(body.detail)}`.toLowerCase();
  if (!/contract|license/.test(text)) return null;
  return siteError(
    'forbidden',
    t('gooddata_expired'),
    t('gooddata_expiredNext'),
  );
}

/** Failures every GoodData call shares: session, CORS, tenant; then the common ones. */
function failure(client: PageClient, response: PageResponse): SiteError {
  if (isSessionGone(response)) return signedOut(NAME, loginUrl(client.origin));
  const expired = expiredTenant(response);
  if (expired) return expired;
  if (response.status === 403 && !isJsonBody(response)) {
    return siteError(
      'origin-rejected',
      t('gooddata_cors'),
      t('site_reloadTab', NAME),
    );
  }
  return commonFailure(NAME, response);
}

function createFailure(client: PageClient, response: PageResponse, name: string): SiteError {
  const detail = errorDetail(response);
  switch (response.status) {
    case 409:
      return siteError('conflict', t('gooddata_exists', name), t('site_pickName'));
    case 400:
      return siteError(
        'invalid',
        detail ? t('site_nameRefusedDetail', NAME, name, detail) : t('site_nameRefused', NAME, name),
        t('mint_changeName'),
      );
    case 403:
    case 404:
      // GoodData often hides a missing permission behind 404.
      if (isJsonBody(response) && !expiredTenant(response)) return noPermission();
  }
  return failure(client, response);
}

function noPermission(): SiteError {
  return siteError(
    'forbidden',
    t('gooddata_noPermission'),
    t('gooddata_noPermissionNext'),
  );
}

function profileUser(body: unknown): SiteUser | null {
  if (!isRecord(body) || typeof body.userId !== 'string' || !body.userId) return null;
  if (typeof body.organizationId !== 'string') return null;
  const permissions = Array.isArray(body.permissions) ? body.permissions : [];
  const canMint = permissions.includes('MANAGE') || permissions.includes('SELF_CREATE_TOKEN');
  const user: SiteUser = {
    id: body.userId,
    name: typeof body.name === 'string' && body.name ? body.name : body.userId,
    org: typeof body.organizationName === 'string' && body.organizationName ? body.organizationName : body.organizationId,
  };
  if (!canMint) user.cannotMint = noPermission().user;
  return user;
}

/** Spring's JSON for "signed in at the identity provider, but not a user of this organization". */
function isNotMember(response: PageResponse): boolean {
  if (response.status !== 404) return false;
  const body = jsonOrUndefined(response.body);
  return isRecord(body) && body.status === 404 && typeof body.path === 'string' && body.path.endsWith('/profile');
}

/** Asks whether a token id exists, to tell apart a create that failed from one whose answer was lost. */
async function exists(client: PageClient, user: SiteUser, tokenId: string): Promise<boolean | undefined> {
  try {
    const response = await call(client, 'GET', tokensPath(user, tokenId));
    // Only GoodData's own answer counts: a proxy's or sign-in page's 200 proves nothing.
    const body = jsonOrUndefined(response.body);
    if (response.status === 200 && isRecord(body) && isRecord(body.data) && body.data.id === tokenId) return true;
    if (response.status === 404) return false;
  } catch {
    // unknown: the caller reports the original failure
  }
  return undefined;
}

function orphaned(name: string): SiteError {
  return siteError('orphaned', t('site_orphaned', NAME, name), t('site_revokeInList', name));
}

/** A create whose outcome is unclear is never repeated: the token list tells whether the token exists. */
async function settleUnclearCreate(client: PageClient, user: SiteUser, name: string, cause: SiteError): Promise<never> {
  const found = await exists(client, user, name);
  if (found) throw orphaned(name);
  if (found === undefined) {
    const next = t('site_checkList', NAME, name);
    throw siteError(cause.user.code, cause.user.sentence, next, cause.user.link);
  }
  throw cause;
}


export const gooddata: Site = {
  id: 'gooddata',
  name: NAME,
  knownHosts: [/\.cloud\.gooddata\.com$/, /\.gooddata\.com$/],
  nameRule: {
    pattern: '^(?!\\.)[.A-Za-z0-9_-]{1,255}$',
    maxLength: 255,
    hint: t('gooddata_nameHint'),
  },
  // The name GoodData's own Python SDK examples and demo projects read (with GOODDATA_HOST); gooddata-dbt reads
  // GOODDATA_TOKEN instead, and the SDK's profiles.yaml takes whatever `$VARIABLE` it names.
  envName: 'GOODDATA_API_TOKEN',
  loginUrl,

  async probe(client) {
    const response = await call(client, 'GET', PROFILE);
    if (response.status === 401 && response.body.trim() === '/appLogin') return { kind: 'signed-out' };
    if (isNotMember(response)) {
      return {
        kind: 'signed-out',
        reason: {
          code: 'signed-out',
          sentence: t('gooddata_notMember'),
          next: t('gooddata_notMemberNext'),
          link: { label: t('error_signIn'), url: loginUrl(client.origin) },
        },
      };
    }
    const expired = expiredTenant(response);
    if (expired) return { kind: 'signed-out', reason: expired.user };
    if (response.status !== 200) return { kind: 'not-this-site' };
    const user = profileUser(jsonOrUndefined(response.body));
    return user ? { kind: 'signed-in', user } : { kind: 'not-this-site' };
  },

  async mint(client, user, { name }) {
    let response: PageResponse;
    try {
      response = await call(client, 'POST', tokensPath(user), { data: { id: name, type: 'apiToken' } });
    } catch (error) {
      if (isUnclearOutcome(error)) return settleUnclearCreate(client, user, name, error);
      throw error;
    }
    if (response.status !== 201 && response.status !== 200) {
      const error = createFailure(client, response, name);
      if (isUnclearOutcome(error)) return settleUnclearCreate(client, user, name, error);
      throw error;
    }
    // A success we cannot read may be a proxy's page rather than GoodData's answer: the token list decides.
    const body = looksLikeHtml(response) ? undefined : jsonOrUndefined(response.body);
    const data = isRecord(body) && isRecord(body.data) ? body.data : undefined;
    const secret = data && isRecord(data.attributes) ? data.attributes.bearerToken : undefined;
    if (typeof secret !== 'string' || !secret) {
      return settleUnclearCreate(client, user, name, unexpectedAnswer(NAME, response));
    }
    const id = typeof data?.id === 'string' && data.id ? data.id : name;
    return { id, name: id, secret };
  },

  async list(client, user) {
    const tokens = new Map<string, SiteToken>();
    // links.next is present even on the last page: only a short page ends the list.
    for (let page = 0; page < MAX_PAGES; page++) {
      const response = await call(client, 'GET', `${tokensPath(user)}?page=${page}&size=${PAGE_SIZE}&sort=id,asc`);
      if (response.status !== 200) throw failure(client, response);
      const body = readJson(NAME, response);
      if (!isRecord(body) || !Array.isArray(body.data)) throw unexpectedAnswer(NAME, response);
      const before = tokens.size;
      for (const item of body.data) {
        // An empty id would make a revoke DELETE the whole collection's URL.
        if (isRecord(item) && typeof item.id === 'string' && item.id) tokens.set(item.id, { id: item.id, name: item.id });
      }
      // A full page with nothing new means the server ignores `page`: stop rather than loop over the same tokens.
      if (body.data.length < PAGE_SIZE || tokens.size === before) break;
    }
    return [...tokens.values()];
  },

  async revoke(client, user, tokenId) {
    const response = await call(client, 'DELETE', tokensPath(user, tokenId));
    // 204 carries a JSON content type but no body: nothing to parse. 404: it is gone already.
    if (response.status === 204 || response.status === 200 || response.status === 404) return;
    throw failure(client, response);
  },

  checkRequest,

  async verify(client, secret) {
    const response = await client.request(checkRequest(secret));
    if (response.status === 401) return null;
    if (response.status !== 200) throw failure(client, response);
    const user = profileUser(readJson(NAME, response));
    if (!user) throw unexpectedAnswer(NAME, response);
    return user.id;
  },

  authHeader(secret) {
    return { name: 'Authorization', value: `Bearer ${secret}` };
  },
};
