import { isUnclearOutcome, signedOut, siteError, SiteError } from '../../core/errors.ts';
import { commonFailure, errorDetail, jsonOrUndefined, looksLikeHtml, readJson, unexpectedAnswer } from '../../core/http.ts';
import { t } from '../../core/i18n.ts';
import type { NameRule } from '../../core/name-rule.ts';
import type { PageClient } from '../../core/page-client.ts';
import type { PageRequest, PageResponse } from '../../core/page-request.ts';
import { suggestName, type SiteToken } from '../../core/token.ts';
import type { FormSpec, Minted, MintInput, Site, SiteUser } from '../types.ts';
import type { FailureNext, Recipe } from './format.ts';
import { csrfFor } from './csrf.ts';
import { idAt, valueAt } from './pointer.ts';
import { expiryValue, fillForm, fillJson, fillPath, isSafePath, type Values } from './template.ts';

/**
 * A recipe as a `Site`: the same interface and `PageClient` as the built-in adapters, so a recipe's tokens get the
 * same reveal, copy, vault, panel and error handling. Every request is a path on the tab's own origin.
 */

export const RECIPE_PREFIX = 'recipe:' as const;

/** Long runs of token characters in a site's error text are cut out: a token must never reach a sentence. */
const TOKEN_LIKE = /[A-Za-z0-9+/=_.-]{32,}/g;

/** The next steps a recipe's `failures` may name, each in the browser's language. */
const NEXT_STEPS: Record<FailureNext, (siteName: string) => string> = {
  'sign-in': (siteName) => t('recipe_next_sign_in', siteName),
  reload: (siteName) => t('recipe_reload_next', siteName),
  'check-input': () => t('recipe_invalid_next'),
  'ask-admin': (siteName) => t('http_forbiddenNext', siteName),
  'retry-later': () => t('http_serverNext'),
};

export function recipeSite(recipe: Recipe): Site {
  const NAME = recipe.name;
  const base = recipe.headers ?? {};
  const join = recipe.token?.scopes?.join ?? ',';
  const loginUrl = (origin: string) => origin + (recipe.loginPath && isSafePath(recipe.loginPath) ? recipe.loginPath : '/');
  const fixedPath = (path: string) => fillPath(path, {}, NAME);

  const isSessionGone = ({ status }: PageResponse) =>
    (recipe.whoami.signedOutStatuses ?? [401]).includes(status) || status === 0 || (status >= 300 && status < 400);

  /** Every failure of a recipe's request, from a body with anything token-like cut out. */
  function failure(client: PageClient, answer: PageResponse): SiteError {
    if (isSessionGone(answer)) return signedOut(NAME, loginUrl(client.origin));
    const response = { ...answer, body: answer.body.replace(TOKEN_LIKE, '…') };
    return withRecipeNextStep(client, answer, generalFailure(response));
  }

  /** What a failure says before the recipe has its say: the sentence, and the usual next step for its status. */
  function generalFailure(response: PageResponse): SiteError {
    const detail = errorDetail(response);
    if (response.status === 403 && /csrf|xsrf/i.test(response.body)) {
      return siteError('csrf-refused', t('recipe_csrf_refused', NAME), t('recipe_reload_next', NAME));
    }
    if (response.status === 400 || response.status === 422) {
      return siteError('invalid', t('recipe_invalid', NAME, detail ? `: ${detail}` : ''), t('recipe_invalid_next'));
    }
    return commonFailure(NAME, response);
  }

  /** The recipe's own next step (`failures`) for an answer it names, in place of the general one. */
  function withRecipeNextStep(client: PageClient, response: PageResponse, error: SiteError): SiteError {
    const body = response.body.toLowerCase();
    const rule = recipe.failures?.find(
      ({ status, contains }) => status === response.status && (contains === undefined || body.includes(contains.toLowerCase())),
    );
    if (!rule) return error;
    const link = rule.next === 'sign-in' ? { label: t('error_signIn'), url: loginUrl(client.origin) } : undefined;
    return siteError(error.user.code, error.user.sentence, NEXT_STEPS[rule.next](NAME), link);
  }

  const session = (client: PageClient, request: PageRequest) =>
    client.request({ ...request, headers: { ...base, ...request.headers } });

  function checkRequest(secret: string): PageRequest {
    const { name, value } = authHeader(secret);
    return { method: 'GET', path: fixedPath(recipe.verify.path), headers: { ...base, [name]: value }, credentials: 'omit' };
  }

  function authHeader(secret: string) {
    return { name: recipe.auth.header, value: recipe.auth.value.replace('{token}', () => secret) };
  }

  function userValues(user: SiteUser): Values {
    return { userId: user.id, userName: user.name };
  }

  async function list(client: PageClient, user: SiteUser): Promise<SiteToken[]> {
    const spec = recipe.list;
    if (!spec) return [];
    const response = await session(client, { method: 'GET', path: fillPath(spec.path, userValues(user), NAME) });
    if (response.status !== 200) throw failure(client, response);
    const items = valueAt(readJson(NAME, response), spec.items ?? '');
    if (!Array.isArray(items)) throw unexpectedAnswer(NAME, response);
    return items.flatMap((item) => listedToken(item, spec, join) ?? []);
  }

  /** The listed tokens named `name` that were not listed before a create (`before`: their ids). */
  async function newlyListed(client: PageClient, user: SiteUser, name: string, before: ReadonlySet<string>): Promise<SiteToken[]> {
    return (await list(client, user)).filter((token) => token.name === name && !before.has(token.id));
  }

  /** The ids listed now; none where the list cannot be read, so that afterwards a name found once is taken as new. */
  async function listedIds(client: PageClient, user: SiteUser): Promise<Set<string>> {
    try {
      return new Set((await list(client, user)).map((token) => token.id));
    } catch {
      return new Set();
    }
  }

  /** The id of the one new token named `name` (`idFromList`); undefined where the list cannot tell. */
  async function newTokenId(client: PageClient, user: SiteUser, name: string, before: ReadonlySet<string>): Promise<string | undefined> {
    try {
      const made = await newlyListed(client, user, name, before);
      return made.length === 1 ? made[0]!.id : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * A create whose outcome is unclear is never repeated: the token list, where the recipe has one, decides. With the
   * ids listed before the create (`idFromList`), an older token of the same name is not taken for the new one.
   */
  async function settleUnclearCreate(
    client: PageClient,
    user: SiteUser,
    name: string,
    before: ReadonlySet<string> | undefined,
    cause: SiteError,
  ): Promise<never> {
    let found: boolean | undefined;
    try {
      if (recipe.list) found = (await newlyListed(client, user, name, before ?? new Set())).length > 0;
    } catch {
      // unknown: the original failure is reported
    }
    if (found) throw siteError('orphaned', t('recipe_orphaned', NAME, name), t('recipe_orphaned_next', name));
    if (found === undefined) throw siteError(cause.user.code, cause.user.sentence, t('recipe_check_list_next', NAME, name), cause.user.link);
    throw cause;
  }

  async function mint(client: PageClient, user: SiteUser, input: MintInput): Promise<Minted> {
    const spec = recipe.create;
    const name = input.name || suggestName(new Date());
    const expiry = recipe.token?.expiry;
    const values: Values = { ...userValues(user), name, scopes: input.scopes };
    if (expiry && input.expiresInDays !== null) values.expiresAt = expiryValue(expiry.format, input.expiresInDays, Date.now());
    const form = spec.contentType === 'form';
    // Taken before the CSRF token, which some sites hand out for one request only.
    const before = spec.idFromList ? await listedIds(client, user) : undefined;
    const request: PageRequest = {
      method: spec.method ?? 'POST',
      path: fillPath(spec.path, values, NAME),
      ...(await csrfFor(client, recipe, failure)),
    };
    if (spec.body !== undefined) {
      request.headers = { ...request.headers, 'Content-Type': form ? 'application/x-www-form-urlencoded' : 'application/json' };
      request.body = form ? fillForm(spec.body as Record<string, string>, values, join) : JSON.stringify(fillJson(spec.body, values, join));
    }
    let response: PageResponse;
    try {
      response = await session(client, request);
    } catch (error) {
      if (isUnclearOutcome(error)) return settleUnclearCreate(client, user, name, before, error);
      throw error;
    }
    if (!(spec.okStatuses ?? [200, 201]).includes(response.status)) {
      const error =
        response.status === 409
          ? withRecipeNextStep(client, response, siteError('conflict', t('recipe_conflict', NAME, name), t('recipe_conflict_next')))
          : failure(client, response);
      if (isUnclearOutcome(error)) return settleUnclearCreate(client, user, name, before, error);
      throw error;
    }
    // A success we cannot read may be a proxy's page rather than the site's answer: the token list decides.
    const body = looksLikeHtml(response) ? undefined : jsonOrUndefined(response.body);
    const secret = valueAt(body, spec.secret);
    if (typeof secret !== 'string' || !secret || /[\r\n\u0000]/.test(secret)) {
      return settleUnclearCreate(client, user, name, before, unexpectedAnswer(NAME, response));
    }
    const shown = (spec.name && idAt(body, spec.name)) || name;
    const id = (spec.id && idAt(body, spec.id)) || (before && (await newTokenId(client, user, shown, before))) || shown;
    return { id, name: shown, secret };
  }

  const formSpec = recipeForm(recipe);
  return {
    id: `${RECIPE_PREFIX}${recipe.id}`,
    name: NAME,
    // Recognition asks a recipe only about origins its patterns match (background/recognise.ts).
    knownHosts: [],
    envName: recipe.envName ?? `${recipe.id.toUpperCase().replaceAll('-', '_')}_TOKEN`,
    loginUrl,

    async probe(client) {
      const response = await session(client, { method: 'GET', path: fixedPath(recipe.whoami.path) });
      if (isSessionGone(response)) return { kind: 'signed-out' };
      if (response.status !== 200 || looksLikeHtml(response)) return { kind: 'not-this-site' };
      const user = whoamiUser(recipe, jsonOrUndefined(response.body));
      return user ? { kind: 'signed-in', user } : { kind: 'not-this-site' };
    },

    mint,
    list,

    async revoke(client, user, tokenId) {
      const spec = recipe.revoke;
      if (!spec) throw siteError('invalid', t('recipe_no_revoke', NAME), t('recipe_no_revoke_next', NAME));
      const path = fillPath(spec.path, { ...userValues(user), tokenId }, NAME);
      const response = await session(client, { method: spec.method ?? 'DELETE', path, ...(await csrfFor(client, recipe, failure)) });
      // 404: it is gone already.
      if (response.status === 404 || (spec.okStatuses ?? [200, 202, 204]).includes(response.status)) return;
      throw failure(client, response);
    },

    checkRequest,

    async verify(client, secret) {
      const response = await client.request(checkRequest(secret));
      if ((recipe.verify.invalidStatuses ?? [401, 403]).includes(response.status)) return null;
      if (response.status !== 200) throw failure(client, response);
      const id = idAt(readJson(NAME, response), recipe.verify.userId ?? recipe.whoami.userId);
      if (id === undefined) throw unexpectedAnswer(NAME, response);
      return id;
    },

    authHeader,
    ...(recipe.token?.name && { nameRule: nameRule(recipe.token.name, NAME) }),
    ...(formSpec && { form: async () => formSpec }),
  };
}

function nameRule({ maxLength, pattern, hint }: NonNullable<NonNullable<Recipe['token']>['name']>, siteName: string): NameRule {
  return { pattern: `^(?:${pattern ?? '[\\s\\S]*'})$`, maxLength, hint: hint ?? t('recipe_name_hint', siteName) };
}

/** One item of a list answer as the panel shows it; undefined for an item without an id. */
function listedToken(item: unknown, spec: NonNullable<Recipe['list']>, join: string): SiteToken | undefined {
  const id = idAt(item, spec.id);
  if (id === undefined) return undefined;
  const token: SiteToken = { id, name: idAt(item, spec.name ?? spec.id) ?? id };
  for (const key of ['createdAt', 'expiresAt', 'lastUsedAt'] as const) {
    const time = spec[key] === undefined ? undefined : isoTime(valueAt(item, spec[key]));
    if (time) token[key] = time;
  }
  const scopes = spec.scopes === undefined ? undefined : valueAt(item, spec.scopes);
  const named = typeof scopes === 'string' ? scopes.split(join) : scopes;
  if (Array.isArray(named)) token.scopes = named.filter((scope): scope is string => typeof scope === 'string' && scope !== '');
  return token;
}

/** The user in a who-am-I answer, or null when the answer lacks what the recipe expects of this site. */
export function whoamiUser(recipe: Recipe, body: unknown): SiteUser | null {
  const { userId, userName, org, expect = [] } = recipe.whoami;
  const id = idAt(body, userId);
  if (id === undefined || expect.some((pointer) => valueAt(body, pointer) === undefined)) return null;
  const user: SiteUser = { id, name: (userName && idAt(body, userName)) || id };
  const orgName = org && idAt(body, org);
  if (orgName) user.org = orgName;
  return user;
}

/** The popup's form beyond the name: scopes and expiry where the recipe has them. */
function recipeForm(recipe: Recipe): FormSpec | undefined {
  const { scopes, expiry } = recipe.token ?? {};
  const form: FormSpec = {};
  if (scopes) {
    const choices = scopes.choices.map((choice) => {
      const { id, description } = typeof choice === 'string' ? { id: choice, description: undefined } : choice;
      return description ? { id, label: id, description } : { id, label: id };
    });
    form.scopes = { choices, defaults: scopes.defaults ?? [], atLeastOne: scopes.atLeastOne ?? false };
  }
  if (expiry) {
    form.expiresInDays = { min: expiry.minDays ?? 1, max: expiry.maxDays ?? 365, default: expiry.defaultDays ?? 30 };
  }
  return scopes || expiry ? form : undefined;
}

/** ISO text as it is, a number as seconds since 1970 (milliseconds when it is that large); undefined otherwise. */
function isoTime(value: unknown): string | undefined {
  const millis = typeof value === 'number' ? (value > 1e11 ? value : value * 1000) : typeof value === 'string' ? Date.parse(value) : NaN;
  return Number.isFinite(millis) && Math.abs(millis) <= 8.64e15 ? new Date(millis).toISOString() : undefined;
}
