import { SiteError, isUnclearOutcome, siteDetail, signedOut, siteError } from '../core/errors.ts';
import { commonFailure, isRecord, jsonOrUndefined, looksLikeHtml, pathPart, readJson, asText, unexpectedAnswer } from '../core/http.ts';
import type { PageClient } from '../core/page-client.ts';
import type { HttpMethod, PageRequest, PageResponse } from '../core/page-request.ts';
import type { SiteToken } from '../core/token.ts';
import type { Choice, MintInput, Minted, Site, SiteUser } from './types.ts';
import { t } from '../core/i18n.ts';

/** OVH CDS: builtin consumers ("sign-in tokens") of the signed-in user (contracts/cds.md). */

const NAME = 'CDS';

/** Where the CDS UI proxies its API: `<UI base href>cdsapi`. One value, so an option can change it later. */
export const DEFAULT_API_BASE = '/cdsapi';

/** The official UI echoes this readable cookie on every write; the API refuses a cookie-authenticated write without it. */
const XSRF = { cookie: 'xsrf_token', header: 'X-XSRF-TOKEN' } as const;

/** `validity_periods[].duration` is in nanoseconds: 365 days is beyond 2^53, so it is computed as a bigint. */
const NS_PER_DAY = 86_400_000_000_000n;

/** Name and description are VARCHAR(255): longer ones fail with a 500 rather than a 400. */
const TEXT_MAX = 255;

/** The range and default the official UI offers; 0 or less would make a token that never expires. */
export const EXPIRY_DAYS = { min: 1, max: 365, default: 15 } as const;

/**
 * The valid scopes (case-sensitive), in the order the form shows them, used when `/auth/scope` cannot be read.
 * `Project` is ticked by default: the scope most scripts need, and far narrower than `Admin` or `User`.
 */
export const SCOPES: readonly Choice[] = [
  { id: 'Project', label: 'Project', description: t('cds_scopeProject') },
  { id: 'Run', label: 'Run', description: t('cds_scopeRun') },
  { id: 'RunExecution', label: 'RunExecution', description: t('cds_scopeRunExecution') },
  { id: 'Template', label: 'Template', description: t('cds_scopeTemplate') },
  { id: 'Action', label: 'Action', description: t('cds_scopeAction') },
  { id: 'WorkerModel', label: 'WorkerModel', description: t('cds_scopeWorkerModel') },
  { id: 'Group', label: 'Group', description: t('cds_scopeGroup') },
  { id: 'User', label: 'User', description: t('cds_scopeUser') },
  { id: 'AccessToken', label: 'AccessToken', description: t('cds_scopeAccessToken') },
  { id: 'Hooks', label: 'Hooks', description: t('cds_scopeHooks') },
  { id: 'Hatchery', label: 'Hatchery', description: t('cds_scopeHatchery') },
  { id: 'Service', label: 'Service', description: t('cds_scopeService') },
  { id: 'Admin', label: 'Admin', description: t('cds_scopeAdmin') },
];
const DEFAULT_SCOPES = ['Project'];
const RINGS = ['ADMIN', 'MAINTAINER', 'USER'] as const;
type Ring = (typeof RINGS)[number];

/** The tab to talk through and the path the API answers under. */
interface Api {
  client: PageClient;
  base: string;
}

/** CDS's error body: `{id, message, from?, request_id}`; `from` is the specific cause and the one worth showing. */
interface CdsError {
  id: number;
  message: string;
  from?: string;
}

/** A consumer as the list reports it, checked just enough to be used. */
type Consumer = Record<string, unknown> & { id: string; type: string; name: string };

// ---------------------------------------------------------------------------------------------------------------------
// Requests.

const JSON_HEADERS = { Accept: 'application/json' };

function call(api: Api, method: HttpMethod, path: string, body?: string): Promise<PageResponse> {
  const request: PageRequest = { method, path: api.base + path, headers: JSON_HEADERS };
  if (body !== undefined) {
    request.headers = { ...JSON_HEADERS, 'Content-Type': 'application/json' };
    request.body = body;
  }
  // Reads go without the header, as the official UI sends them; they are also what issues the cookie.
  if (method !== 'GET') request.echoCookie = XSRF;
  return api.client.request(request);
}

function isXsrfRefusal(response: PageResponse): boolean {
  return response.status === 403 && cdsError(response)?.id === 11;
}

/**
 * A write, with CDS's XSRF recovery: the token is kept per session server-side and may have been dropped or rotated
 * (e.g. by a read from another tab that lacked the cookie). A 403 id 11 means nothing was done, so after one read,
 * which issues a fresh `xsrf_token` cookie, the write is repeated once. A second 403 is the caller's to explain.
 */
async function write(api: Api, method: HttpMethod, path: string, body?: string): Promise<PageResponse> {
  const first = await call(api, method, path, body);
  if (!isXsrfRefusal(first)) return first;
  await call(api, 'GET', '/auth/me');
  return call(api, method, path, body);
}

const enc = pathPart;

function consumersPath(user: SiteUser, consumerId?: string): string {
  const base = `/user/${enc(user.id)}/auth/consumer`;
  return consumerId === undefined ? base : `${base}/${enc(consumerId)}`;
}

/**
 * JSON text in which bigint values become exact integer literals (JSON.stringify refuses bigints). The marker holds a
 * random id, so no string the user typed can be mistaken for one.
 */
export function jsonWithBigInts(value: unknown): string {
  const marker = `bigint-${crypto.randomUUID()}:`;
  const text = JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? `${marker}${item}` : item));
  return text.replace(new RegExp(`"${marker}(-?\\d+)"`, 'g'), '$1');
}

// ---------------------------------------------------------------------------------------------------------------------
// Reading answers.

function cdsError(response: PageResponse): CdsError | undefined {
  const body = jsonOrUndefined(response.body);
  if (!isRecord(body) || typeof body.id !== 'number' || typeof body.message !== 'string') return undefined;
  const from = siteDetail(body.from);
  return from === undefined ? { id: body.id, message: body.message } : { id: body.id, message: body.message, from };
}

/** What CDS says went wrong, as a clause: the specific `from` when it gives one. */
function cdsSays(response: PageResponse): string | undefined {
  const error = cdsError(response);
  return error && (error.from ?? siteDetail(error.message));
}

function uiRoot(base: string): string {
  // The API sits beside the UI (`/ui/cdsapi` for a UI under `/ui/`); any other base path means the UI is at the root.
  return base.endsWith('/cdsapi') ? base.slice(0, -'cdsapi'.length) : '/';
}

function loginUrlAt(origin: string, base: string): string {
  return `${origin}${uiRoot(base)}auth/signin`;
}

function ringOf(value: unknown): Ring | undefined {
  return RINGS.find((ring) => ring === value);
}

/** The user of an `/auth/me` answer; null unless it has CDS's shape (a user with a ring, and a consumer). */
function meAnswer(body: unknown): { user: SiteUser; ring: Ring } | null {
  if (!isRecord(body) || !isRecord(body.user) || !isRecord(body.consumer)) return null;
  const { username, fullname, organization, ring } = body.user;
  const knownRing = ringOf(ring);
  if (typeof username !== 'string' || !username || !knownRing || typeof body.consumer.type !== 'string') return null;
  const user: SiteUser = { id: username, name: typeof fullname === 'string' && fullname ? fullname : username };
  if (typeof organization === 'string' && organization) user.org = organization;
  if (!mayMakeTokens(body.consumer)) user.cannotMint = restrictedSession().user;
  return { user, ring: knownRing };
}

/** Consumer routes need the `AccessToken` scope; a session opened with a restricted token may lack it. */
function mayMakeTokens(consumer: Record<string, unknown>): boolean {
  const details = isRecord(consumer.auth_consumer_user) ? consumer.auth_consumer_user.scope_details : undefined;
  // No list, or an empty one, is the wildcard that every login session has.
  if (!Array.isArray(details) || details.length === 0) return true;
  return details.some((detail) => isRecord(detail) && detail.scope === 'AccessToken');
}

function isConsumer(value: unknown): value is Consumer {
  return isRecord(value) && typeof value.id === 'string' && value.id !== '' && typeof value.type === 'string' && typeof value.name === 'string';
}

/** Expiry = issued_at + duration of the newest validity period; a duration of 0 or less never expires. */
function expiryOf(periods: unknown): string | undefined {
  if (!Array.isArray(periods)) return undefined;
  const dated = periods
    .filter(isRecord)
    .map((period) => ({ at: Date.parse(asText(period.issued_at)), ns: period.duration }))
    .filter((period): period is { at: number; ns: number } => Number.isFinite(period.at) && typeof period.ns === 'number')
    .sort((a, b) => b.at - a.at);
  const newest = dated[0];
  if (!newest || newest.ns <= 0) return undefined;
  // Nanoseconds beyond 2^53 lose a few units when parsed; as milliseconds that is nothing. A date past what Date can
  // hold is no expiry anyone will meet.
  const expiry = new Date(newest.at + newest.ns / 1e6);
  return Number.isNaN(expiry.getTime()) ? undefined : expiry.toISOString();
}

function timeOf(value: unknown): string | undefined {
  // Go writes an unset time as year 1; that is "never", not a date.
  return typeof value === 'string' && Date.parse(value) > 0 ? value : undefined;
}

function siteToken(consumer: Consumer): SiteToken {
  const token: SiteToken = { id: consumer.id, name: consumer.name || consumer.id };
  const created = timeOf(consumer.created);
  const expires = expiryOf(consumer.validity_periods);
  const used = timeOf(consumer.last_authentication);
  if (created) token.createdAt = created;
  if (expires) token.expiresAt = expires;
  if (used) token.lastUsedAt = used;
  const details = isRecord(consumer.auth_consumer_user) ? consumer.auth_consumer_user.scope_details : undefined;
  const scopes = Array.isArray(details) ? details.flatMap((d) => (isRecord(d) && typeof d.scope === 'string' ? [d.scope] : [])) : [];
  if (scopes.length > 0) token.scopes = scopes;
  return token;
}

// ---------------------------------------------------------------------------------------------------------------------
// Failures.

function failure(api: Api, response: PageResponse): SiteError {
  const { status } = response;
  // 0 is an opaque redirect: a sign-in proxy in front of CDS sending the request to its login page.
  if (status === 401 || status === 0 || (status >= 300 && status < 400)) {
    return signedOut(NAME, loginUrlAt(api.client.origin, api.base));
  }
  const error = cdsError(response);
  if (isMaintenance(response)) {
    return siteError('server', t('cds_maintenance'), t('cds_maintenanceNext'));
  }
  if (status === 404 && !error) {
    return siteError(
      'not-found',
      t('cds_apiMissing', api.base),
      t('cds_apiMissingNext'),
    );
  }
  if (status === 400) {
    const says = cdsSays(response);
    return siteError('invalid', says ? t('cds_refusedDetail', says) : t('cds_refused'), t('http_refusedNext'));
  }
  if (status === 403 && error) {
    const sentence = error.from ? t('cds_forbiddenDetail', error.from) : t('http_forbidden', NAME);
    return siteError('forbidden', sentence, t('http_forbiddenNext', NAME));
  }
  return commonFailure(NAME, response);
}

function restrictedSession(): SiteError {
  return siteError(
    'forbidden',
    t('cds_restricted'),
    t('cds_restrictedNext'),
  );
}

function invalidInput(sentence: string): SiteError {
  return siteError('invalid', sentence, t('cds_changeIt'));
}

function createFailure(api: Api, response: PageResponse, user: SiteUser, name: string): SiteError {
  const says = cdsSays(response);
  switch (response.status) {
    case 400: {
      const error = cdsError(response);
      if (!error) break;
      // Without `from`, the only 400 is a group the session's own token does not cover.
      return siteError(
        'invalid',
        t('cds_tokenRefused', name, error.from ?? t('cds_groupNotAllowed')),
        t('cds_tokenRefusedNext'),
      );
    }
    case 403:
      if (!isXsrfRefusal(response)) break;
      // Still refused after a fresh XSRF cookie: the cookie cannot be echoed, or the tab is signed in as someone else.
      return siteError(
        'csrf-refused',
        t('cds_csrf', user.id),
        t('cds_csrfNext', user.id),
      );
    case 404:
      if (cdsError(response)?.id !== 136) break;
      return siteError('not-found', t('cds_unknownUser', user.id), t('cds_unknownUserNext'));
    case 409:
      return siteError('conflict', says ? t('cds_conflictDetail', name, says) : t('cds_conflict', name), t('site_pickNameAgain'));
  }
  return failure(api, response);
}

function isMaintenance(response: PageResponse): boolean {
  return response.status === 503 && cdsError(response)?.id === 60;
}

/** Core's rule for a write that may have happened anyway, but for maintenance mode, which refuses before doing anything. */
function mayHaveWorked(error: SiteError, response: PageResponse): boolean {
  return isUnclearOutcome(error) && !isMaintenance(response);
}

function orphaned(name: string): SiteError {
  return siteError(
    'orphaned',
    t('cds_orphaned', name),
    t('cds_orphanedNext', name),
  );
}

// ---------------------------------------------------------------------------------------------------------------------
// Consumers.

/** All of the user's consumers (login methods included), oldest first. */
async function consumers(api: Api, user: SiteUser): Promise<Consumer[]> {
  const response = await call(api, 'GET', consumersPath(user));
  if (response.status !== 200) throw failure(api, response);
  const body = readJson(NAME, response);
  if (!Array.isArray(body)) throw unexpectedAnswer(NAME, response);
  return body.filter(isConsumer);
}

async function builtinIds(api: Api, user: SiteUser): Promise<Set<string>> {
  return new Set((await consumers(api, user)).filter((c) => c.type === 'builtin').map((c) => c.id));
}

/**
 * A create whose outcome is unclear is never repeated. Names are not unique in CDS, so the list taken just before the
 * create tells which consumer is new: one named like ours that was not there before is ours, made without its secret.
 */
async function settleUnclearCreate(api: Api, user: SiteUser, name: string, before: Set<string>, cause: SiteError): Promise<never> {
  let made: Consumer[] | undefined;
  try {
    made = (await consumers(api, user)).filter((c) => c.type === 'builtin' && c.name === name && !before.has(c.id));
  } catch {
    // unknown: the original failure stands, with the list to check
  }
  if (made === undefined) {
    const next = t('site_checkList', NAME, name);
    throw siteError(cause.user.code, cause.user.sentence, next, cause.user.link);
  }
  if (made.length > 0) throw orphaned(name);
  throw cause;
}

/** The id of a consumer made with its secret but answered without an id: the one new consumer of that name. */
async function newConsumerId(api: Api, user: SiteUser, name: string, before: Set<string>): Promise<string | undefined> {
  try {
    const made = (await consumers(api, user)).filter((c) => c.type === 'builtin' && c.name === name && !before.has(c.id));
    return made.length === 1 ? made[0]!.id : undefined;
  } catch {
    return undefined;
  }
}

function checkDays(days: number): bigint {
  if (!Number.isInteger(days) || days < EXPIRY_DAYS.min || days > EXPIRY_DAYS.max) {
    throw invalidInput(t('cds_days', EXPIRY_DAYS.min, EXPIRY_DAYS.max));
  }
  return BigInt(days);
}

/** The create body as JSON text; the duration is an exact integer of nanoseconds. */
export function createBody(input: MintInput, now = new Date()): string {
  const scopes = [...new Set(input.scopes)];
  if (scopes.length === 0) throw invalidInput(t('cds_scopeNeeded'));
  const groupIds = input.groups.map((id) => (/^\d{1,15}$/.test(id) ? Number(id) : NaN));
  if (groupIds.some(Number.isNaN)) throw invalidInput(t('cds_notAGroup'));
  if (input.description.length > TEXT_MAX) throw invalidInput(t('cds_descriptionLong', TEXT_MAX));
  const body: Record<string, unknown> = { name: input.name, description: input.description };
  // No period at all gives the instance default (30 days); never 0, which would never expire.
  if (input.expiresInDays !== null) {
    body.validity_periods = [{ issued_at: now.toISOString(), duration: checkDays(input.expiresInDays) * NS_PER_DAY }];
  }
  // No group ids is CDS's wildcard: all of the user's groups. Service fields are left out: they bind the token to a service.
  body.auth_consumer_user = { group_ids: [...new Set(groupIds)], scope_details: scopes.map((scope) => ({ scope })) };
  return jsonWithBigInts(body);
}

// ---------------------------------------------------------------------------------------------------------------------
// The form.

/** The scopes the site offers, in the form's order; undefined when it does not say (the form then offers CDS's own). */
async function offeredScopes(api: Api): Promise<Choice[] | undefined> {
  try {
    const response = await call(api, 'GET', '/auth/scope');
    const body = response.status === 200 ? jsonOrUndefined(response.body) : undefined;
    const offered = Array.isArray(body) ? body.flatMap((item) => (isRecord(item) && typeof item.scope === 'string' ? [item.scope] : [])) : [];
    const names = offered.filter((name) => /^[A-Za-z]{1,64}$/.test(name));
    if (names.length === 0) return undefined;
    // Known scopes in the usual order, with their help line; any newer ones after them.
    const known = SCOPES.filter((scope) => names.includes(scope.id));
    const newer = [...new Set(names.filter((name) => !SCOPES.some((scope) => scope.id === name)))].sort();
    return [...known, ...newer.map((name) => ({ id: name, label: name }))];
  } catch {
    return undefined;
  }
}

async function currentRing(api: Api): Promise<Ring> {
  const response = await call(api, 'GET', '/auth/me');
  if (response.status !== 200) throw failure(api, response);
  const me = meAnswer(readJson(NAME, response));
  if (!me) throw unexpectedAnswer(NAME, response);
  return me.ring;
}

/** The user's own groups; an ADMIN may give a token any group. (`me` is not accepted on the group route.) */
async function groupChoices(api: Api, user: SiteUser, ring: Ring): Promise<Choice[]> {
  const response = await call(api, 'GET', ring === 'ADMIN' ? '/group' : `/user/${enc(user.id)}/group`);
  if (response.status !== 200) throw failure(api, response);
  const body = readJson(NAME, response);
  if (!Array.isArray(body)) throw unexpectedAnswer(NAME, response);
  const choices = new Map<string, Choice>();
  for (const group of body) {
    if (!isRecord(group) || typeof group.name !== 'string' || !Number.isSafeInteger(group.id)) continue;
    const choice: Choice = { id: String(group.id), label: group.name };
    if (group.admin === true) choice.description = t('cds_groupAdmin');
    choices.set(choice.id, choice);
  }
  return [...choices.values()];
}

// ---------------------------------------------------------------------------------------------------------------------
// Regenerate (for the token panel).

export interface RegenerateOptions {
  /** How long the old sign-in token keeps working, as a Go duration; "0s" (default) ends it at once. */
  overlap?: string;
  /** End every session opened with the old token (default true): regenerating usually means it was lost or leaked. */
  revokeSessions?: boolean;
  apiBase?: string;
}

function regenerateLost(cause: SiteError): SiteError {
  return siteError(
    cause.user.code,
    cause.user.sentence,
    t('cds_regenerateLost'),
    cause.user.link,
  );
}

function regenerateFailure(api: Api, response: PageResponse): SiteError {
  if (isXsrfRefusal(response)) {
    return siteError(
      'forbidden',
      t('cds_regenerateRefused'),
      t('cds_regenerateRefusedNext'),
    );
  }
  if (response.status === 400) {
    return siteError('invalid', t('cds_regenerateInvalid', cdsSays(response) ?? t('cds_wrongRequest')), t('cds_regenerateInvalidNext'));
  }
  const error = failure(api, response);
  return mayHaveWorked(error, response) ? regenerateLost(error) : error;
}

/** A regenerate's answer: the new sign-in token, and the consumer when CDS sent it along (it does; it is not required). */
interface Regenerated {
  token: string;
  consumer?: Consumer;
}

/**
 * Gives a builtin token a new sign-in token valid for `days` days, and returns it. Not repeated when the answer is
 * lost: each regenerate invalidates the sign-in token before it.
 */
export async function regenerate(
  client: PageClient,
  user: SiteUser,
  consumerId: string,
  days: number,
  options: RegenerateOptions = {},
): Promise<string> {
  return (await regenerateConsumer(client, user, consumerId, days, options)).token;
}

async function regenerateConsumer(
  client: PageClient,
  user: SiteUser,
  consumerId: string,
  days: number,
  options: RegenerateOptions,
): Promise<Regenerated> {
  const api: Api = { client, base: options.apiBase ?? DEFAULT_API_BASE };
  // `new_duration` is in days here, unlike the nanoseconds of a create.
  const body = JSON.stringify({
    revoke_sessions: options.revokeSessions ?? true,
    overlap_duration: options.overlap ?? '0s',
    new_duration: Number(checkDays(days)),
  });
  let response: PageResponse;
  try {
    response = await write(api, 'POST', `${consumersPath(user, consumerId)}/regen`, body);
  } catch (error) {
    throw isUnclearOutcome(error) ? regenerateLost(error) : error;
  }
  if (response.status !== 200 && response.status !== 201) throw regenerateFailure(api, response);
  const answer = looksLikeHtml(response) ? undefined : jsonOrUndefined(response.body);
  const token = isRecord(answer) ? answer.token : undefined;
  if (typeof token !== 'string' || !token) throw regenerateLost(unexpectedAnswer(NAME, response));
  const consumer = isRecord(answer) && isConsumer(answer.consumer) ? answer.consumer : undefined;
  return consumer ? { token, consumer } : { token };
}

/**
 * The panel's regenerate: the defaults above (the old token ends at once, with its sessions) and the form's default
 * validity. The new secret is in hand once CDS answers, so the name only comes from the answer or, failing that, the
 * list; it is never worth losing the secret over.
 */
async function regenerateMinted(api: Api, user: SiteUser, consumerId: string): Promise<Minted> {
  const { token, consumer } = await regenerateConsumer(api.client, user, consumerId, EXPIRY_DAYS.default, { apiBase: api.base });
  let name = consumer?.name;
  if (!name) {
    try {
      name = (await consumers(api, user)).find((c) => c.id === consumerId)?.name;
    } catch {
      // the id stands in for the name
    }
  }
  // A regenerate keeps the consumer: its id does not change.
  return { id: consumerId, name: name || consumerId, secret: token };
}

// ---------------------------------------------------------------------------------------------------------------------

/** Ends the short session a verify opened, so trying a token leaves nothing behind; a failure here changes nothing. */
async function endSession(api: Api, session: unknown): Promise<void> {
  if (typeof session !== 'string' || !session) return;
  try {
    await api.client.request({
      method: 'POST',
      path: `${api.base}/auth/consumer/signout`,
      headers: { ...JSON_HEADERS, Authorization: `Bearer ${session}` },
      credentials: 'omit',
    });
  } catch {
    // the session ends by itself within the hour
  }
}

/** The CDS adapter for an API served under `apiBase` on the tab's origin. */
export function cdsAt(apiBase: string): Site {
  const at = (client: PageClient): Api => ({ client, base: apiBase });
  /**
   * The scopes an origin's CDS offers, asked once per worker life: they change only with a CDS upgrade, and every
   * popup opening would otherwise spend a request on them (issue 7: a warm opening asks the user and groups only).
   */
  const scopesByOrigin = new Map<string, Choice[]>();
  const scopesAt = async (api: Api): Promise<Choice[]> => {
    const known = scopesByOrigin.get(api.client.origin);
    if (known) return known;
    const offered = await offeredScopes(api);
    // Only what the site said is kept: a failed read is asked again next time.
    if (offered) scopesByOrigin.set(api.client.origin, offered);
    return offered ?? [...SCOPES];
  };
  /** Trades the sign-in token for a session, as cdsctl does; the session ends right after (see `endSession`). */
  const checkRequest = (secret: string): PageRequest => ({
    method: 'POST',
    path: `${apiBase}/auth/consumer/builtin/signin`,
    headers: { ...JSON_HEADERS, 'Content-Type': 'application/json' },
    body: JSON.stringify({ token: secret }),
    // Credentials omitted: with cookies, the answer's jwt_token cookie would replace the user's own CDS session.
    credentials: 'omit',
  });
  return {
    id: 'cds',
    name: NAME,
    // Self-hosted only: recognised by what the origin answers.
    knownHosts: [],
    nameRule: {
      pattern: '^(?=[\\s\\S]*\\S)[\\s\\S]{1,255}$',
      maxLength: TEXT_MAX,
      hint: t('cds_nameHint', TEXT_MAX),
    },
    // cdsctl reads the sign-in token from CDS_TOKEN (with CDS_API_URL), bypassing its keychain.
    envName: 'CDS_TOKEN',
    loginUrl: (origin) => loginUrlAt(origin, apiBase),

    async probe(client) {
      const api = at(client);
      const response = await call(api, 'GET', '/auth/me');
      if (response.status === 200) {
        const me = meAnswer(looksLikeHtml(response) ? undefined : jsonOrUndefined(response.body));
        return me ? { kind: 'signed-in', user: me.user } : { kind: 'not-this-site' };
      }
      // A JSON 401 is common; CDS's own one (id 10), confirmed by its version endpoint, is not.
      if (response.status !== 401 || cdsError(response)?.id !== 10) return { kind: 'not-this-site' };
      const version = await call(api, 'GET', '/mon/version');
      const body = version.status === 200 ? jsonOrUndefined(version.body) : undefined;
      const isCds = isRecord(body) && typeof body.version === 'string' && typeof body.git_hash === 'string';
      return isCds ? { kind: 'signed-out' } : { kind: 'not-this-site' };
    },

    async form(client, user) {
      const api = at(client);
      const [scopes, ring] = await Promise.all([scopesAt(api), currentRing(api)]);
      const defaults = DEFAULT_SCOPES.filter((id) => scopes.some((scope) => scope.id === id));
      return {
        description: { maxLength: TEXT_MAX },
        scopes: { choices: scopes, defaults, atLeastOne: true },
        groups: { choices: await groupChoices(api, user, ring) },
        expiresInDays: { ...EXPIRY_DAYS },
      };
    },

    async mint(client, user, input): Promise<Minted> {
      const api = at(client);
      const body = createBody(input);
      const before = await builtinIds(api, user);
      let response: PageResponse;
      try {
        response = await write(api, 'POST', consumersPath(user), body);
      } catch (error) {
        if (isUnclearOutcome(error)) return settleUnclearCreate(api, user, input.name, before, error);
        throw error;
      }
      if (response.status !== 201 && response.status !== 200) {
        const error = createFailure(api, response, user, input.name);
        if (mayHaveWorked(error, response)) return settleUnclearCreate(api, user, input.name, before, error);
        throw error;
      }
      // A success we cannot read may be a proxy's page rather than CDS's answer: the list decides.
      const answer = looksLikeHtml(response) ? undefined : jsonOrUndefined(response.body);
      const secret = isRecord(answer) ? answer.token : undefined;
      if (typeof secret !== 'string' || !secret) {
        return settleUnclearCreate(api, user, input.name, before, unexpectedAnswer(NAME, response));
      }
      const consumer = isRecord(answer) && isConsumer(answer.consumer) ? answer.consumer : undefined;
      // The secret is in hand: a missing id must not lose it; the list finds the id, else the name stands in.
      const id = consumer?.id ?? (await newConsumerId(api, user, input.name, before)) ?? input.name;
      return { id, name: consumer?.name || input.name, secret };
    },

    async list(client, user) {
      // The list also holds the login methods (local, ldap, …) and service consumers: only builtin ones are tokens.
      return (await consumers(at(client), user)).filter((c) => c.type === 'builtin').map(siteToken);
    },

    async revoke(client, user, tokenId) {
      const api = at(client);
      const response = await write(api, 'DELETE', consumersPath(user, tokenId));
      if (response.status === 200 || response.status === 204) return;
      if (!isXsrfRefusal(response)) throw failure(api, response);
      // An unknown id is a 403 too, not a 404: what the list says tells "gone already" from a refusal.
      const listed = (await consumers(api, user)).find((c) => c.id === tokenId);
      if (!listed) return;
      if (listed.type !== 'builtin') {
        throw siteError('forbidden', t('cds_loginMethod', listed.name), t('cds_loginMethodNext'));
      }
      throw siteError(
        'forbidden',
        t('cds_revokeRefused', listed.name),
        t('cds_revokeRefusedNext'),
      );
    },

    regenerate(client, user, tokenId) {
      return regenerateMinted(at(client), user, tokenId);
    },

    checkRequest,

    async verify(client, secret) {
      const api = at(client);
      const response = await client.request(checkRequest(secret));
      // Every refused sign-in token (bad, expired, replaced, deleted) is CDS's 403 id 11.
      if ((response.status === 403 || response.status === 401) && cdsError(response)) return null;
      if (response.status !== 200) throw commonFailure(NAME, response);
      const body = readJson(NAME, response);
      const username = isRecord(body) && isRecord(body.user) ? body.user.username : undefined;
      if (typeof username !== 'string' || !username) throw unexpectedAnswer(NAME, response);
      await endSession(api, isRecord(body) ? body.token : undefined);
      return username;
    },
  };
}

export const cds: Site = cdsAt(DEFAULT_API_BASE);
