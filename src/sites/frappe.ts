import { isUnclearOutcome, signedOut, siteDetail, SiteError, siteError } from '../core/errors.ts';
import { commonFailure, isRecord, jsonOrUndefined, looksLikeHtml, pathPart, readJson, unexpectedAnswer } from '../core/http.ts';
import type { PageClient } from '../core/page-client.ts';
import type { PageRequest, PageResponse } from '../core/page-request.ts';
import type { FormSpec, Site, SiteUser } from './types.ts';
import { t } from '../core/i18n.ts';

/**
 * Frappe Framework (ERPNext and other Frappe apps), v13 to the 2026 line: the user's API key + secret
 * (contracts/frappe.md). A user has exactly one pair; every generation replaces the secret, so the credential the
 * user gets is `api_key:api_secret` and "revoking" it means replacing the secret with one nobody keeps.
 */

const NAME = 'Frappe';
const SYSTEM_MANAGER = 'System Manager';
const WHO_AM_I = '/api/method/frappe.auth.get_logged_user';
/** The classic path first (v13 to v15, an alias on the 2026 line), then the 2026 line's own. */
const GENERATE_PATHS = [
  '/api/method/frappe.core.doctype.user.user.generate_keys',
  '/api/method/frappe.core.api.auth.generate_api_keys',
] as const;
/** The desk page carries the session's CSRF token; `/desk` is its name before v14. */
const DESK_PATHS = ['/app', '/desk'] as const;
const CSRF_IN_PAGE = /frappe\.csrf_token\s*=\s*(["'])([^"'\s]+)\1/;

// Frappe answers JSON to any path under /api when asked for it; without Accept some errors come as HTML.
const API_HEADERS = { Accept: 'application/json' };

function loginUrl(origin: string): string {
  return `${origin}/login?redirect-to=%2Fapp`;
}

/** The who-am-I with the key pair alone: with cookies, a valid sid wins over the pair, which is then not even checked. */
function checkRequest(secret: string): PageRequest {
  return { method: 'GET', path: WHO_AM_I, headers: { ...API_HEADERS, Authorization: `token ${secret}` }, credentials: 'omit' };
}

function userPath(id: string): string {
  return `/api/resource/User/${pathPart(id)}`;
}

function get(client: PageClient, path: string): Promise<PageResponse> {
  return client.request({ method: 'GET', path, headers: API_HEADERS });
}

// ---------------------------------------------------------------------------------------------------------------------
// Frappe's error bodies: `exc_type` plus `_server_messages`, a JSON string of JSON strings (contract §8).

interface FrappeError {
  type: string;
  /** The first server message, HTML stripped, trimmed to a clause; never from a success body. */
  message?: string;
}

function frappeError(response: PageResponse): FrappeError | undefined {
  const body = looksLikeHtml(response) ? undefined : jsonOrUndefined(response.body);
  if (!isRecord(body) || typeof body.exc_type !== 'string' || !body.exc_type) return undefined;
  const message = serverMessage(body._server_messages) ?? plain(body._error_message);
  return message ? { type: body.exc_type, message } : { type: body.exc_type };
}

/** Decodes `_server_messages` twice and keeps the first message's text. */
function serverMessage(field: unknown): string | undefined {
  const list = typeof field === 'string' ? jsonOrUndefined(field) : undefined;
  if (!Array.isArray(list)) return undefined;
  for (const item of list) {
    const entry = typeof item === 'string' ? jsonOrUndefined(item) : item;
    const text = isRecord(entry) ? plain(entry.message) : plain(entry);
    if (text) return text;
  }
  return undefined;
}

/** Messages may hold HTML (`<b>`, `<br>`): the sentence shows text only. */
function plain(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  // Only a short sentence is kept: cutting first bounds the tag stripping, which is quadratic on runs of '<'.
  const text = value
    .slice(0, 2000)
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
  return siteDetail(text);
}

function says(error: FrappeError | undefined): string {
  return error?.message ? ` ${t('http_says', NAME, error.message)}` : '';
}

function isSessionGone(response: PageResponse): boolean {
  // 0: the opaque redirect to /login that a signed-out desk page answers inside the tab.
  return response.status === 0 || (response.status >= 300 && response.status < 400) || response.status === 401;
}

function noPermission(): SiteError {
  return siteError(
    'forbidden',
    t('frappe_noPermission'),
    t('frappe_noPermissionNext'),
  );
}

function portalUser(): SiteError {
  return siteError(
    'forbidden',
    t('frappe_portal'),
    t('frappe_portalNext'),
  );
}

function csrfRefused(): SiteError {
  return siteError(
    'csrf-refused',
    t('frappe_csrf'),
    t('frappe_csrfNext'),
  );
}

function maintenance(): SiteError {
  return siteError('server', t('frappe_maintenance'), t('frappe_maintenanceNext'));
}

function isCsrfRefusal(response: PageResponse): boolean {
  return response.status === 400 && frappeError(response)?.type === 'CSRFTokenError';
}

/** The failures every Frappe call shares; a 403 is the caller's to judge first (see `denied`). */
function failure(client: PageClient, response: PageResponse): SiteError {
  if (isSessionGone(response)) return signedOut(NAME, loginUrl(client.origin));
  const error = frappeError(response);
  if (error?.type === 'SessionStopped') return maintenance();
  if (isCsrfRefusal(response)) return csrfRefused();
  switch (response.status) {
    case 404:
      return siteError('not-found', `${t('http_notFound', NAME)}${says(error)}`, t('http_notFoundNext'));
    case 409:
      return siteError('conflict', `${t('frappe_conflict')}${says(error)}`, t('http_serverNext'));
    case 400:
    case 417:
      return siteError('invalid', `${t('http_refused', NAME, response.status)}${says(error)}`, t('frappe_checkSettings'));
  }
  if (response.status >= 500 && error) {
    return siteError('server', `${t('http_server', NAME, response.status)}${says(error)}`, t('http_serverNext'));
  }
  return commonFailure(NAME, response);
}

/**
 * A 403 means a Guest session or a missing role, and Frappe words both as PermissionError: the who-am-I (a safe GET)
 * tells them apart.
 */
async function denied(client: PageClient, response: PageResponse): Promise<SiteError> {
  if (!frappeError(response)) return failure(client, response);
  try {
    const who = await get(client, WHO_AM_I);
    if (who.status === 403 || loggedUser(who) === 'Guest') return signedOut(NAME, loginUrl(client.origin));
  } catch {
    // could not ask: the role is the likelier cause, since the session carried this far
  }
  return noPermission();
}

/** The user name a who-am-I answer carries, or undefined when it is not Frappe's answer. */
function loggedUser(response: PageResponse): string | undefined {
  if (response.status !== 200 || looksLikeHtml(response)) return undefined;
  const body = jsonOrUndefined(response.body);
  return isRecord(body) && typeof body.message === 'string' && body.message ? body.message : undefined;
}

// ---------------------------------------------------------------------------------------------------------------------
// The User record (contract §6): api_key (level-1 field, System Managers only), roles, and `modified`, which tells
// whether a generation whose answer was lost did save the user.

interface UserRecord {
  fullName?: string;
  userType?: string;
  /** Undefined when the record has no roles table (a trimmed answer): then nobody can tell. */
  roles?: string[];
  /** Null when the user has no key, or the caller may not read it. */
  apiKey: string | null;
  modified?: string;
}

function userRecord(body: unknown, id: string): UserRecord | null {
  const data = isRecord(body) ? body.data : undefined;
  if (!isRecord(data) || data.name !== id) return null;
  const record: UserRecord = { apiKey: typeof data.api_key === 'string' && data.api_key ? data.api_key : null };
  const fullName = typeof data.full_name === 'string' ? data.full_name.trim() : '';
  if (fullName) record.fullName = fullName;
  if (typeof data.user_type === 'string') record.userType = data.user_type;
  if (typeof data.modified === 'string' && data.modified) record.modified = data.modified;
  // Child rows of `Has Role` ({role: …}); some serialisations give plain names.
  if (Array.isArray(data.roles)) {
    record.roles = data.roles.flatMap((row) => {
      const role = isRecord(row) ? row.role : row;
      return typeof role === 'string' ? [role] : [];
    });
  }
  return record;
}

async function readRecord(client: PageClient, user: SiteUser): Promise<UserRecord> {
  const response = await get(client, userPath(user.id));
  if (response.status === 403) throw await denied(client, response);
  if (response.status !== 200) throw failure(client, response);
  const record = userRecord(readJson(NAME, response), user.id);
  if (!record) throw unexpectedAnswer(NAME, response);
  return record;
}

/** Why this user cannot mint, as far as the record tells; undefined when they can or nobody can tell. */
function cannotMint(id: string, record: UserRecord): SiteError | undefined {
  if (id === 'Administrator') return undefined;
  if (record.userType === 'Website User') return portalUser();
  if (record.roles && !record.roles.includes(SYSTEM_MANAGER)) return noPermission();
  return undefined;
}

/** Only a 2xx from Frappe itself (JSON naming the user) proves the record; anything else leaves it unknown. */
async function recordOrUndefined(client: PageClient, user: SiteUser): Promise<UserRecord | undefined> {
  try {
    const response = await get(client, userPath(user.id));
    if (response.status !== 200 || looksLikeHtml(response)) return undefined;
    return userRecord(jsonOrUndefined(response.body), user.id) ?? undefined;
  } catch {
    return undefined;
  }
}

/** The api_key after a generation that did not return it: the record, else `frappe.client.get_value` (§6). */
async function keyAfterMint(client: PageClient, user: SiteUser): Promise<string | null> {
  const record = await recordOrUndefined(client, user);
  if (record?.apiKey) return record.apiKey;
  try {
    const query = new URLSearchParams({ doctype: 'User', fieldname: 'api_key', filters: user.id });
    const response = await get(client, `/api/method/frappe.client.get_value?${query}`);
    const body = response.status === 200 ? jsonOrUndefined(response.body) : undefined;
    const key = isRecord(body) && isRecord(body.message) ? body.message.api_key : undefined;
    return typeof key === 'string' && key ? key : null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Generating keys: POST + CSRF everywhere (GET is refused from v15 on).

async function csrfToken(client: PageClient): Promise<string> {
  for (const path of DESK_PATHS) {
    const response = await client.request({ method: 'GET', path, headers: { Accept: 'text/html' } });
    if (isSessionGone(response)) throw signedOut(NAME, loginUrl(client.origin));
    if (response.status === 404 && path !== DESK_PATHS.at(-1)) continue;
    if (response.status === 403) throw noPermission(); // a portal user may not open the desk
    if (response.status !== 200) throw failure(client, response);
    const token = CSRF_IN_PAGE.exec(response.body)?.[2];
    if (token) return token;
    break;
  }
  throw siteError(
    'unexpected-response',
    t('frappe_noCsrf'),
    t('frappe_noCsrfNext'),
  );
}

type Generated = { response: PageResponse } | { lost: SiteError };

/**
 * One generation. Two requests may be repeated because Frappe refused them before acting: a 400 CSRFTokenError
 * (the token is fetched again, once) and a 404 on the classic path (the 2026 path is tried). A request whose answer
 * was lost is never repeated: the caller settles it.
 */
async function generate(client: PageClient, user: SiteUser): Promise<Generated> {
  let token = await csrfToken(client);
  let freshToken = false;
  let pathIndex = 0;
  for (;;) {
    let response: PageResponse;
    try {
      response = await client.request({
        method: 'POST',
        path: GENERATE_PATHS[pathIndex]!,
        headers: { ...API_HEADERS, 'Content-Type': 'application/x-www-form-urlencoded', 'X-Frappe-CSRF-Token': token },
        body: new URLSearchParams({ user: user.id }).toString(),
      });
    } catch (error) {
      if (isUnclearOutcome(error)) return { lost: error };
      throw error;
    }
    if (isCsrfRefusal(response) && !freshToken) {
      token = await csrfToken(client);
      freshToken = true;
    } else if (response.status === 404 && pathIndex + 1 < GENERATE_PATHS.length) {
      pathIndex++;
    } else {
      return { response };
    }
  }
}

async function generateFailure(client: PageClient, response: PageResponse): Promise<SiteError> {
  if (response.status === 403) return denied(client, response);
  // The call saves the User record, so the user's own validation rules can refuse it (417 ValidationError).
  if ((response.status === 417 || response.status === 400) && !isCsrfRefusal(response)) {
    return siteError(
      'invalid',
      `${t('frappe_saveFailed', response.status)}${says(frappeError(response))}`,
      t('frappe_saveFailedNext'),
    );
  }
  return failure(client, response);
}

/** The pair a success carries; `api_key` is absent up to v15 (contract §5). Null when the answer is not one. */
function keyPair(response: PageResponse): { apiKey?: string; apiSecret: string } | null {
  const body = looksLikeHtml(response) ? undefined : jsonOrUndefined(response.body);
  const message = isRecord(body) ? body.message : undefined;
  if (!isRecord(message) || !isCredentialPart(message.api_secret)) return null;
  if (message.api_key === undefined || message.api_key === null) return { apiSecret: message.api_secret };
  return isCredentialPart(message.api_key) ? { apiKey: message.api_key, apiSecret: message.api_secret } : null;
}

/** Each half must survive `key:secret` in a header: non-empty, no colon, no white space. */
function isCredentialPart(value: unknown): value is string {
  return typeof value === 'string' && /^[^\s:]+$/.test(value);
}


function orphaned(hadKey: boolean): SiteError {
  return siteError(
    'orphaned',
    hadKey ? t('frappe_orphanedSecret') : t('frappe_orphanedPair'),
    t('frappe_generateAgain'),
  );
}

/**
 * A generation whose outcome is unclear is never repeated (it would replace the secret once more): the User record
 * tells whether it happened, since the call saves the user (a new `modified`, or an api_key that was not there).
 */
async function settleUnclearGenerate(client: PageClient, user: SiteUser, before: UserRecord, cause: SiteError): Promise<never> {
  const after = await recordOrUndefined(client, user);
  const keyAppeared = after !== undefined && after.apiKey !== before.apiKey;
  const saved = after?.modified !== undefined && before.modified !== undefined ? after.modified !== before.modified : undefined;
  if (keyAppeared || saved) throw orphaned(before.apiKey !== null);
  if (after && saved === false) throw cause;
  const next = before.apiKey ? t('frappe_checkSecret') : t('frappe_checkKey');
  throw siteError(cause.user.code, cause.user.sentence, next, cause.user.link);
}

function mustAgree(): SiteError {
  return siteError(
    'conflict',
    t('frappe_mustAgree'),
    t('frappe_mustAgreeNext', t('popup_replaceSecret')),
  );
}

// ---------------------------------------------------------------------------------------------------------------------

export const frappe: Site = {
  id: 'frappe',
  name: NAME,
  // Frappe Cloud and the hosted ERPNext; self-hosted sites are recognised by the probe.
  knownHosts: [/\.frappe\.cloud$/, /\.erpnext\.com$/],
  // Frappe has no CLI convention for the pair; the value is `api_key:api_secret`, exactly what follows `token ` in the
  // Authorization header, so one variable holds the whole credential (split names would need two lines).
  envName: 'FRAPPE_API_TOKEN',
  loginUrl,

  async probe(client) {
    const response = await get(client, WHO_AM_I);
    // Guest: 403 PermissionError, not 401; only Frappe's own error body counts.
    if (response.status === 403) return frappeError(response) ? { kind: 'signed-out' } : { kind: 'not-this-site' };
    const id = loggedUser(response);
    if (!id) return { kind: 'not-this-site' };
    if (id === 'Guest') return { kind: 'signed-out' };
    // `{"message": "…"}` alone is a common shape: the user's record must answer as Frappe's.
    const record = await get(client, userPath(id));
    if (record.status === 403 && frappeError(record)) {
      return { kind: 'signed-in', user: { id, name: id, cannotMint: noPermission().user } };
    }
    if (record.status === 429 || record.status >= 500) throw failure(client, record);
    const parsed = record.status === 200 && !looksLikeHtml(record) ? userRecord(jsonOrUndefined(record.body), id) : null;
    if (!parsed) return { kind: 'not-this-site' };
    const user: SiteUser = { id, name: parsed.fullName ?? id };
    const reason = cannotMint(id, parsed);
    if (reason) user.cannotMint = reason.user;
    return { kind: 'signed-in', user };
  },

  async form(client, user) {
    let record: UserRecord;
    try {
      record = await readRecord(client, user);
    } catch (error) {
      // A user who may not read keys cannot mint either, and the probe already says why.
      if (error instanceof SiteError && error.user.code === 'forbidden') return {};
      throw error;
    }
    const form: FormSpec = {};
    if (record.apiKey) form.replaces = { sentence: t('frappe_replaceWarning') };
    return form;
  },

  async mint(client, user, input) {
    // The consent is checked here as well as in the form: the key may have appeared since the form was read.
    const before = await readRecord(client, user);
    if (before.apiKey && !input.replace) throw mustAgree();
    const generated = await generate(client, user);
    if ('lost' in generated) return settleUnclearGenerate(client, user, before, generated.lost);
    const { response } = generated;
    if (response.status !== 200) {
      const error = await generateFailure(client, response);
      if (isUnclearOutcome(error) && frappeError(response)?.type !== 'SessionStopped') {
        return settleUnclearGenerate(client, user, before, error);
      }
      throw error;
    }
    const pair = keyPair(response);
    if (!pair) return settleUnclearGenerate(client, user, before, unexpectedAnswer(NAME, response));
    // api_key never changes once set, so the one read before is good; else the record has the new one.
    const apiKey = pair.apiKey ?? before.apiKey ?? (await keyAfterMint(client, user));
    if (!apiKey || !isCredentialPart(apiKey)) {
      throw siteError(
        'orphaned',
        t('frappe_keyUnread'),
        t('frappe_keyUnreadNext'),
      );
    }
    return { id: apiKey, name: apiKey, secret: `${apiKey}:${pair.apiSecret}` };
  },

  async list(client, user) {
    const { apiKey } = await readRecord(client, user);
    return apiKey ? [{ id: apiKey, name: apiKey }] : [];
  },

  /**
   * Frappe cannot delete a key pair; it can only replace the secret. Revoking replaces it with one that is thrown
   * away unread, so the credential stops working and no working one exists.
   */
  async revoke(client, user, tokenId) {
    const { apiKey } = await readRecord(client, user);
    if (apiKey !== tokenId) return; // not this user's key (any more): nothing of it can still work here
    const generated = await generate(client, user);
    if ('lost' in generated) throw generated.lost;
    if (generated.response.status !== 200) throw await generateFailure(client, generated.response);
  },

  checkRequest,

  async verify(client, secret) {
    const response = await client.request(checkRequest(secret));
    // 401: unknown key (all versions) or wrong secret (newer); 403: a wrong secret ran as Guest (older).
    if (response.status === 401 || response.status === 403) return null;
    if (response.status !== 200) throw failure(client, response);
    const id = loggedUser(response);
    if (id === undefined) throw unexpectedAnswer(NAME, response);
    return id === 'Guest' ? null : id;
  },

  authHeader(secret) {
    return { name: 'Authorization', value: `token ${secret}` };
  },
};
