import { SiteError, isUnclearOutcome, siteDetail, signedOut, siteError } from '../core/errors.ts';
import { commonFailure, errorDetail, isRecord, jsonOrUndefined, looksLikeHtml, readJson, unexpectedAnswer } from '../core/http.ts';
import { nameProblem, type NameRule } from '../core/name-rule.ts';
import type { PageClient } from '../core/page-client.ts';
import type { PageRequest, PageResponse } from '../core/page-request.ts';
import type { SiteToken } from '../core/token.ts';
import type { Choice, FormSpec, Minted, Probe, Site, SiteUser } from './types.ts';
import { t } from '../core/i18n.ts';

/**
 * Zenodo and other InvenioRDM sites: personal access tokens (contracts/zenodo.md). There is no JSON API for them, so
 * the adapter drives the settings pages of invenio-oauth2server as a person would: it reads the form and its
 * `csrf_token`, posts it, and reads the secret from the token page the site shows once.
 *
 * The page client never follows redirects (a redirect is status 0 in the browser, 302 with a Location in Node), while
 * the site answers a create with 302 → the token page. So the adapter snapshots the token list before creating, finds
 * the new id in the Location or else in the list afterwards, and then GETs the token page itself: the session's
 * shown-once flag is still pending then, because nothing has followed the redirect yet.
 */

const NAME = 'Zenodo';
const ME = '/api/me';
const SETTINGS = '/account/settings/applications/';
const NEW_TOKEN = `${SETTINGS}tokens/new/`;
const tokenPage = (id: string) => `${SETTINGS}tokens/${encodeURIComponent(id)}/`;
const TOKEN_PATH = /^\/account\/settings\/applications\/tokens\/(\d+)\/$/;
/** The server's default: 60 characters from [A-Za-z0-9] (OAUTH2SERVER_TOKEN_PERSONAL_SALT_LEN). Anything else is garbage. */
const SECRET = /^[A-Za-z0-9]{60}$/;
const MAX_NAME = 40;

/** The scopes zenodo.org offers, in its order; used only when a form lists none. */
const KNOWN_SCOPES: readonly Choice[] = [
  { id: 'deposit:actions', label: 'deposit:actions', description: t('zenodo_scopeActions') },
  { id: 'deposit:write', label: 'deposit:write', description: t('zenodo_scopeWrite') },
  { id: 'user:email', label: 'user:email', description: t('zenodo_scopeEmail') },
];
/** What documentation and clients expect a Zenodo token to carry. */
const DEFAULT_SCOPES = ['deposit:write', 'deposit:actions'];

const PAGE_HEADERS = { Accept: 'text/html,application/xhtml+xml' };
const API_HEADERS = { Accept: 'application/json' };
/** Used where the site's who-am-I is missing (it is unconfirmed on zenodo.org) and the user's id cannot be learnt. */
const UNKNOWN_USER_ID = 'me';

const nameRule: NameRule = {
  // WTForms' DataRequired: a name of spaces only counts as empty.
  pattern: '\\S',
  maxLength: MAX_NAME,
  hint: t('zenodo_nameHint'),
};

function loginUrl(origin: string): string {
  return `${origin}/login/?next=${encodeURIComponent(SETTINGS)}`;
}

// ---------------------------------------------------------------------------------------------------------------------
// HTML reading. The adapter runs in the service worker, which has no DOMParser: these read only the few elements the
// contract names, tolerant of attribute order, quoting, case and whitespace.

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', mdash: '—', ndash: '–' };

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, entity: string) => {
    if (entity[0] !== '#') return ENTITIES[entity.toLowerCase()] ?? whole;
    const code = entity[1] === 'x' || entity[1] === 'X' ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10);
    return Number.isInteger(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

// Every reader here must take time linear in the page: the adapter runs them synchronously in the service worker, and
// a hostile or broken page of thousands of unclosed tags (`<code>`, `<input "`, `<!--`) must not block it. So no search
// restarts from each tag and runs to the end of the page: each finds its end once, or stops at the next `<`.

/** Comments and scripts hold markup that is not on the page (the contract's own skeleton comments some out). */
function visibleMarkup(html: string): string {
  return cutOut(cutOut(html, /<!--/g, () => /-->/g), /<(script|style)\b/gi, (name) => new RegExp(`</${name}\\s*>`, 'gi'));
}

/**
 * The text without each span from an `open` match through the first `close` after it (comments first, then scripts
 * and styles, as `<!--[\s\S]*?-->` then `<(script|style)\b[\s\S]*?<\/\1\s*>` would). A lazy regex does that in quadratic
 * time, rescanning to the end of the page from every unclosed one; here a kind of span whose close is missing once is
 * never searched for again (no later one can close either).
 */
function cutOut(html: string, open: RegExp, close: (name: string) => RegExp): string {
  const unclosed = new Set<string>();
  let kept = '';
  let from = 0;
  for (const match of html.matchAll(open)) {
    const name = (match[1] ?? '').toLowerCase();
    if (match.index < from || unclosed.has(name)) continue;
    const end = close(name);
    end.lastIndex = match.index + match[0].length;
    if (!end.exec(html)) {
      unclosed.add(name);
      continue;
    }
    kept += html.slice(from, match.index);
    from = end.lastIndex;
  }
  return kept + html.slice(from);
}

/** An attribute list (`id="a" value='b' checked`) as lower-cased names → decoded values ('' for a bare one). */
function attributes(source: string): Record<string, string> {
  const found: Record<string, string> = {};
  for (const match of source.matchAll(/([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g)) {
    const name = match[1]!.toLowerCase();
    if (!(name in found)) found[name] = decodeEntities(match[2] ?? match[3] ?? match[4] ?? '');
  }
  return found;
}

interface Tag {
  attrs: Record<string, string>;
  /** Where the tag starts and where it ends (just after `>`). */
  start: number;
  end: number;
}

/**
 * Every start tag of one element name; a `>` inside a quoted value does not end it (a quoted value may hold `<` and
 * `>`). A `<` outside quotes does: no real tag holds one, and without that stop every unclosed tag would scan on to
 * the end of the page for a `>` (quadratic on a page of `<input `).
 */
function startTags(html: string, tag: string): Tag[] {
  const pattern = new RegExp(`<${tag}\\b((?:[^<>"']|"[^"]*"|'[^']*')*)>`, 'gi');
  return [...html.matchAll(pattern)].map((match) => ({
    attrs: attributes(match[1]!),
    start: match.index,
    end: match.index + match[0].length,
  }));
}

/**
 * Elements with their inner markup, for elements that do not nest in these pages (a, code, div's innermost, label, p,
 * small). An element ends at the first close tag after it, or at the next start tag of its kind if that comes first
 * (or at the page's end): so the inner markups never overlap and sum to at most the page, whatever is left unclosed.
 * The close tags are found once and paired with the start tags by position, not searched for from each start tag.
 */
function elements(html: string, tag: string): (Tag & { inner: string })[] {
  const opens = startTags(html, tag);
  const closes = [...html.matchAll(new RegExp(`</${tag}\\s*>`, 'gi'))].map((match) => match.index);
  let next = 0;
  return opens.map((open, index) => {
    while (next < closes.length && closes[next]! < open.end) next++;
    const end = Math.min(closes[next] ?? html.length, opens[index + 1]?.start ?? html.length);
    return { ...open, inner: html.slice(open.end, end) };
  });
}

/** The text a person reads: tags dropped, entities decoded, whitespace collapsed. */
function textOf(markup: string): string {
  // As `markup.replace(/<[^>]*>/g, ' ')`, without its rescan to the end from every `<` that no `>` follows.
  let text = '';
  let from = 0;
  for (let lt = markup.indexOf('<'); lt >= 0; lt = markup.indexOf('<', from)) {
    const gt = markup.indexOf('>', lt);
    if (gt < 0) break;
    text += `${markup.slice(from, lt)} `;
    from = gt + 1;
  }
  return decodeEntities(text + markup.slice(from)).replace(/\s+/g, ' ').trim();
}

const hasClass = (attrs: Record<string, string>, name: string) => (attrs.class ?? '').split(/\s+/).includes(name);

interface TokenForm {
  csrf: string;
  /** The scope checkboxes the form offers, in its order. */
  scopes: Choice[];
  /** The token page's form has a delete button; the new-token form has none. */
  hasDelete: boolean;
}

/** The new-token form or the token page's form: a `csrf_token` and a `name` input are what make it one. */
export function readTokenForm(html: string): TokenForm | null {
  const markup = visibleMarkup(html);
  const inputs = startTags(markup, 'input');
  const csrf = inputs.find((input) => input.attrs.name === 'csrf_token')?.attrs.value;
  if (!csrf || !inputs.some((input) => input.attrs.name === 'name')) return null;
  // Maps, not searches per input: a page of thousands of scope inputs must not take their square.
  const helps = new Map<string, string | undefined>(); // each label's `for` (its first label's) → its help text
  for (const label of elements(markup, 'label')) {
    const target = label.attrs.for;
    if (target !== undefined && !helps.has(target)) helps.set(target, elements(label.inner, 'small').map((small) => textOf(small.inner)).find(Boolean));
  }
  const scopes = new Map<string, Choice>();
  for (const input of inputs) {
    const id = input.attrs.value;
    if (input.attrs.name !== 'scopes' || !id || scopes.has(id)) continue;
    const help = input.attrs.id ? helps.get(input.attrs.id) : undefined;
    scopes.set(id, help ? { id, label: id, description: help } : { id, label: id });
  }
  const hasDelete = startTags(markup, 'button').some((button) => button.attrs.name === 'delete');
  return { csrf, scopes: [...scopes.values()], hasDelete };
}

/** The name errors of a refused create: the `p`s of `.ui.pointing.red.basic.label` (scope and CSRF errors show none). */
export function nameErrors(html: string): string[] {
  const markup = visibleMarkup(html);
  const errors: string[] = [];
  // The error div holds only its `p`s, so its element (ended by the next `div` if that comes before its close) is it.
  for (const div of elements(markup, 'div')) {
    if (!['pointing', 'red', 'label'].every((name) => hasClass(div.attrs, name))) continue;
    for (const p of elements(div.inner, 'p')) {
      const text = textOf(p.inner);
      if (text) errors.push(text);
    }
  }
  return errors;
}

/** The secret on the token page: `code.word-break-all` first (current markup), then any `code` (older markup). */
export function readSecret(html: string): string | null {
  const codes = elements(visibleMarkup(html), 'code');
  const ordered = [...codes.filter((code) => hasClass(code.attrs, 'word-break-all')), ...codes];
  for (const code of ordered) {
    const text = textOf(code.inner);
    if (SECRET.test(text)) return text;
  }
  return null;
}

/**
 * The personal tokens of the applications page, or null when the page is not that page (it always links the new-token
 * form, even when the list is empty). Authorized applications (`/view/`, `/revoke/`) and developer applications
 * (`/clients/…`) do not match the token path and so are skipped.
 */
export function readTokenList(html: string, origin: string): SiteToken[] | null {
  const markup = visibleMarkup(html);
  const anchors = elements(markup, 'a');
  const paths = anchors.map((a) => pathOf(a.attrs.href, origin));
  if (!paths.includes(NEW_TOKEN)) return null;
  const tokens = new Map<string, SiteToken>();
  anchors.forEach((anchor, index) => {
    const id = TOKEN_PATH.exec(paths[index] ?? '')?.[1];
    if (id === undefined || tokens.has(id)) return;
    const token: SiteToken = { id, name: textOf(anchor.inner) };
    const scopes = scopesAfter(markup.slice(anchor.end + anchor.inner.length));
    if (scopes.length > 0) token.scopes = scopes;
    tokens.set(id, token);
  });
  return [...tokens.values()];
}

/** The `small.text-muted` that follows a token's link in its `li`, only before the `br` (the one after is empty). */
function scopesAfter(rest: string): string[] {
  const end = rest.search(/<br\b|<\/li\s*>|<a\b/i);
  const small = elements(end < 0 ? rest : rest.slice(0, end), 'small').find((s) => hasClass(s.attrs, 'text-muted'));
  if (!small) return [];
  return textOf(small.inner)
    .split(',')
    .map((scope) => scope.trim())
    .filter(Boolean);
}

/** A link's path on this origin; undefined for another origin or no link. */
function pathOf(href: string | undefined, origin: string): string | undefined {
  if (href === undefined) return undefined;
  try {
    const url = new URL(href, origin);
    return url.origin === origin ? url.pathname : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Requests and what their answers mean.

function getPage(client: PageClient, path: string): Promise<PageResponse> {
  return client.request({ method: 'GET', path, headers: PAGE_HEADERS });
}

function postForm(client: PageClient, path: string, fields: [string, string][]): Promise<PageResponse> {
  return client.request({
    method: 'POST',
    path,
    headers: { ...PAGE_HEADERS, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
}

/** A redirect: in the browser an opaque one (status 0, target unknown), in Node a 3xx whose Location we can read. */
function redirectOf(client: PageClient, response: PageResponse): { to?: string } | null {
  if (response.status !== 0 && (response.status < 300 || response.status >= 400)) return null;
  const to = pathOf(response.headers.location, client.origin);
  return to === undefined ? {} : { to };
}

/** Every settings page redirects to `/login/?next=…` without a session; an opaque redirect is taken to be that one. */
function isToLogin(redirect: { to?: string } | null): boolean {
  return redirect !== null && (redirect.to === undefined || redirect.to.startsWith('/login'));
}

function noPermission(): SiteError {
  return siteError(
    'forbidden',
    t('zenodo_noPermission'),
    t('zenodo_noPermissionNext'),
  );
}

/** Failures every settings page shares: the session, a permission, a page that is not there; then the common ones. */
function pageFailure(client: PageClient, response: PageResponse): SiteError {
  const redirect = redirectOf(client, response);
  // A 401 is invenio-rest's (or an SSO proxy's) way of saying the session is gone, as the redirect to login is.
  if (isToLogin(redirect) || response.status === 401) return signedOut(NAME, loginUrl(client.origin));
  if (redirect) return unexpectedAnswer(NAME, response);
  if (response.status === 403) return noPermission();
  if (response.status === 404) {
    return siteError(
      'not-found',
      t('zenodo_noPages'),
      t('zenodo_noPagesNext'),
    );
  }
  return commonFailure(NAME, response);
}

async function readForm(client: PageClient): Promise<TokenForm> {
  const response = await getPage(client, NEW_TOKEN);
  if (response.status !== 200) throw pageFailure(client, response);
  const form = readTokenForm(response.body);
  if (!form) throw unexpectedAnswer(NAME, response);
  return form;
}

async function readList(client: PageClient): Promise<SiteToken[]> {
  const response = await getPage(client, SETTINGS);
  if (response.status !== 200) throw pageFailure(client, response);
  const tokens = readTokenList(response.body, client.origin);
  if (!tokens) throw unexpectedAnswer(NAME, response);
  return tokens;
}

/** The form's scopes; the contract's list when a form shows no checkboxes at all. */
function offered(form: TokenForm): Choice[] {
  return form.scopes.length > 0 ? form.scopes : [...KNOWN_SCOPES];
}

// ---------------------------------------------------------------------------------------------------------------------
// Minting.

function checkName(name: string): void {
  const problem = nameProblem(nameRule, name);
  if (problem) throw siteError('invalid', t('zenodo_nameProblem', problem), t('mint_changeName'));
}

/** A scope the form does not offer makes the site send the form back silently, like a CSRF failure: catch it here. */
function checkScopes(scopes: string[], form: TokenForm): void {
  const choices = offered(form).map((choice) => choice.id);
  const unknown = scopes.filter((scope) => !choices.includes(scope));
  if (unknown.length > 0) {
    throw siteError(
      'invalid',
      t('zenodo_scopeNotOffered', unknown.map((scope) => t('site_quoted', scope)).join(', ')),
      t('zenodo_scopeNotOfferedNext'),
    );
  }
}

function csrfRefused(): SiteError {
  return siteError(
    'csrf-refused',
    t('zenodo_csrf'),
    t('zenodo_csrfNext'),
  );
}

function orphaned(name: string): SiteError {
  return siteError('orphaned', t('site_orphaned', NAME, name), t('zenodo_orphanedNext', name));
}

/** The newest token named `name` that was not there before the create (ids grow; names may repeat). */
async function newTokenId(client: PageClient, before: Set<string>, name: string): Promise<string | undefined> {
  const fresh = (await readList(client)).filter((token) => !before.has(token.id) && token.name === name);
  return fresh.map((token) => token.id).sort((a, b) => Number(b) - Number(a))[0];
}

/**
 * Reads the secret from the token page. Never repeated: the first GET of a token page clears the session's shown-once
 * flag, so a second one could only show the "lost token" warning. Whatever goes wrong here, the token exists.
 */
async function capture(client: PageClient, id: string, name: string): Promise<Minted> {
  let response: PageResponse;
  try {
    response = await getPage(client, tokenPage(id));
  } catch {
    throw orphaned(name);
  }
  const secret = response.status === 200 ? readSecret(response.body) : null;
  if (!secret) throw orphaned(name);
  return { id, name, secret };
}

/**
 * A create whose outcome is unclear is never repeated: the list tells whether the token exists. If it does, its page
 * may still hold the secret (nothing has followed the site's redirect to it yet); if not, the token is orphaned.
 */
async function settleUnclearCreate(client: PageClient, before: Set<string>, name: string, cause: SiteError): Promise<Minted> {
  let id: string | undefined;
  try {
    id = await newTokenId(client, before, name);
  } catch (error) {
    // Without a session there is nothing to look at, and signing in comes first anyway.
    if (error instanceof SiteError && error.user.code === 'signed-out') throw error;
    const next = t('site_checkList', NAME, name);
    throw siteError(cause.user.code, cause.user.sentence, next, cause.user.link);
  }
  if (id === undefined) throw cause;
  return capture(client, id, name);
}

type Submitted = { kind: 'created'; minted: Minted } | { kind: 'csrf' };

/** One POST of the new-token form and what its answer means. */
async function submit(client: PageClient, form: TokenForm, before: Set<string>, name: string, scopes: string[]): Promise<Submitted> {
  const fields: [string, string][] = [['name', name], ...scopes.map((scope): [string, string] => ['scopes', scope]), ['csrf_token', form.csrf]];
  let response: PageResponse;
  try {
    response = await postForm(client, NEW_TOKEN, fields);
  } catch (error) {
    if (isUnclearOutcome(error)) return created(await settleUnclearCreate(client, before, name, error));
    throw error;
  }
  const redirect = redirectOf(client, response);
  if (redirect) {
    if (redirect.to?.startsWith('/login')) throw signedOut(NAME, loginUrl(client.origin));
    const known = TOKEN_PATH.exec(redirect.to ?? '')?.[1];
    if (known !== undefined) return created(await capture(client, known, name));
    // An opaque redirect hides where it went: the list shows whether it was to a new token.
    const nothing = siteError('unexpected-response', t('zenodo_notMade', name), t('site_reloadTab', NAME));
    return created(await settleUnclearCreate(client, before, name, nothing));
  }
  if (response.status === 200) {
    const again = readTokenForm(response.body);
    if (again && !again.hasDelete) {
      const errors = nameErrors(response.body);
      if (errors.length === 0) return { kind: 'csrf' };
      const detail = siteDetail(errors.join(' '));
      const sentence = detail ? t('site_nameRefusedDetail', NAME, name, detail) : t('site_nameRefused', NAME, name);
      throw siteError('invalid', sentence, t('mint_changeName'));
    }
  }
  const error = createFailure(client, response, name);
  if (error === 'csrf') return { kind: 'csrf' };
  if (isUnclearOutcome(error)) return created(await settleUnclearCreate(client, before, name, error));
  throw error;
}

const created = (minted: Minted): Submitted => ({ kind: 'created', minted });

/** A create's failure: 'csrf' where a fresh form may succeed (an intermediary's 400 page), else the user's sentence. */
function createFailure(client: PageClient, response: PageResponse, name: string): SiteError | 'csrf' {
  switch (response.status) {
    case 400: {
      const detail = errorDetail(response);
      if (!detail) return 'csrf';
      return siteError('invalid', t('zenodo_tokenRefused', name, detail), t('zenodo_tokenRefusedNext'));
    }
    case 409:
      return siteError('conflict', t('zenodo_conflict', name), t('site_pickNameAgain'));
    case 200:
      // Neither the form nor a redirect: a proxy's or sign-in page, which proves nothing either way.
      return unexpectedAnswer(NAME, response);
  }
  return pageFailure(client, response);
}

// ---------------------------------------------------------------------------------------------------------------------
// Who is signed in.

/** The who-am-I of invenio-accounts: `id`, `email`, and its account fields (`confirmed_at`, `last_login_at`, `roles`). */
function meUser(body: unknown): SiteUser | null {
  if (!isRecord(body)) return null;
  const id = typeof body.id === 'number' && Number.isInteger(body.id) ? String(body.id) : body.id;
  if (typeof id !== 'string' || !/^\d+$/.test(id) || typeof body.email !== 'string') return null;
  if (!('confirmed_at' in body || 'last_login_at' in body || Array.isArray(body.roles))) return null;
  return { id, name: body.email || id };
}

/** invenio-rest's 401: `{status: 401, message}`. The message is generic and varies: never match its words. */
function isInvenioUnauthorized(response: PageResponse): boolean {
  const body = jsonOrUndefined(response.body);
  return response.status === 401 && isRecord(body) && body.status === 401 && typeof body.message === 'string';
}

const isKnownHost = (origin: string) => /^(sandbox\.)?zenodo\.org$/.test(new URL(origin).hostname);

/** A GET with the token alone: cookies would authenticate the request whatever the token. */
function withToken(path: string, secret: string): PageRequest {
  return { method: 'GET', path, headers: { ...API_HEADERS, Authorization: `Bearer ${secret}` }, credentials: 'omit' };
}

function getApi(client: PageClient, path: string, secret?: string): Promise<PageResponse> {
  return client.request(secret === undefined ? { method: 'GET', path, headers: API_HEADERS } : withToken(path, secret));
}

/** The who-am-I of invenio-accounts with the token alone. */
function checkRequest(secret: string): PageRequest {
  return withToken(ME, secret);
}

export const zenodo: Site = {
  id: 'zenodo',
  name: NAME,
  knownHosts: [/^zenodo\.org$/, /^sandbox\.zenodo\.org$/],
  nameRule,
  // Zenodo has no official CLI; ZENODO_TOKEN is the name most of its client libraries and scripts read.
  envName: 'ZENODO_TOKEN',
  loginUrl,

  /**
   * `/api/me` answers who is signed in. A 401 in invenio-rest's shape (or a 404, as `/api/me` may be missing) is
   * confirmed by the new-token form: it redirects without a session and shows the form with one. Other sites answer
   * neither way, so they stay unclaimed.
   */
  async probe(client): Promise<Probe> {
    const me = await getApi(client, ME);
    if (me.status === 200) {
      const user = looksLikeHtml(me) ? null : meUser(jsonOrUndefined(me.body));
      return user ? { kind: 'signed-in', user } : { kind: 'not-this-site' };
    }
    const unauthorized = isInvenioUnauthorized(me);
    if (!unauthorized && me.status !== 404) return { kind: 'not-this-site' };
    const page = await getPage(client, NEW_TOKEN);
    const redirect = redirectOf(client, page);
    if (redirect) {
      // An opaque redirect after a 404 could be any site sending strangers to its login: only zenodo.org is sure.
      const sure = redirect.to === undefined ? unauthorized || isKnownHost(client.origin) : redirect.to.startsWith('/login');
      return sure && isToLogin(redirect) ? { kind: 'signed-out' } : { kind: 'not-this-site' };
    }
    const form = page.status === 200 ? readTokenForm(page.body) : null;
    if (!form || form.hasDelete) return { kind: 'not-this-site' };
    return { kind: 'signed-in', user: { id: UNKNOWN_USER_ID, name: 'your Zenodo account' } };
  },

  async form(client): Promise<FormSpec> {
    const choices = offered(await readForm(client));
    const defaults = DEFAULT_SCOPES.filter((id) => choices.some((choice) => choice.id === id));
    // The site takes a token without scopes: it still acts with the user's full API rights.
    return { scopes: { choices, defaults, atLeastOne: false } };
  },

  async mint(client, _user, { name, scopes }) {
    checkName(name);
    const before = new Set((await readList(client)).map((token) => token.id));
    let form = await readForm(client);
    checkScopes(scopes, form);
    // A CSRF failure sends the form back (or an intermediary answers 400): once more with a fresh form, then report.
    for (let attempt = 1; attempt <= 2; attempt++) {
      const outcome = await submit(client, form, before, name, scopes);
      if (outcome.kind === 'created') return outcome.minted;
      if (attempt === 1) form = await readForm(client);
    }
    throw csrfRefused();
  },

  async list(client) {
    return readList(client);
  },

  async revoke(client, _user, tokenId) {
    // The token page gives a fresh csrf_token; the server does not check it on delete today, but may one day.
    for (let attempt = 1; attempt <= 2; attempt++) {
      const page = await getPage(client, tokenPage(tokenId));
      if (page.status === 404) return; // gone already, or never this user's
      if (page.status !== 200) throw pageFailure(client, page);
      const form = readTokenForm(page.body);
      if (!form?.hasDelete) throw unexpectedAnswer(NAME, page);
      const response = await postForm(client, tokenPage(tokenId), [['csrf_token', form.csrf], ['delete', '']]);
      if (response.status === 404) return;
      const redirect = redirectOf(client, response);
      if (redirect?.to?.startsWith('/login')) throw signedOut(NAME, loginUrl(client.origin));
      if (!redirect && response.status !== 200) throw pageFailure(client, response);
      // Done only when the list says so; a page shown again instead of the redirect is a refusal worth one more try.
      if (!(await readList(client)).some((token) => token.id === tokenId)) return;
    }
    throw siteError('unexpected-response', t('zenodo_notDeleted'), t('site_reloadTab', NAME));
  },

  checkRequest,

  async verify(client, secret) {
    const response = await client.request(checkRequest(secret));
    if (response.status === 401) return null;
    if (response.status === 404) return verifyWithoutMe(client, secret);
    if (response.status !== 200) throw commonFailure(NAME, response);
    const user = meUser(readJson(NAME, response));
    if (!user) throw unexpectedAnswer(NAME, response);
    return user.id;
  },

  authHeader(secret) {
    return { name: 'Authorization', value: `Bearer ${secret}` };
  },
};

/** Where `/api/me` is missing: a list that needs auth (public endpoints ignore a bad token and answer anyway). */
async function verifyWithoutMe(client: PageClient, secret: string): Promise<string | null> {
  const response = await getApi(client, '/api/deposit/depositions?size=1', secret);
  if (response.status === 401 || response.status === 403) return null;
  if (response.status !== 200) throw commonFailure(NAME, response);
  if (!Array.isArray(readJson(NAME, response))) throw unexpectedAnswer(NAME, response);
  return UNKNOWN_USER_ID;
}
