/**
 * The recipe format: how a user teaches Tokenmint a site that mints tokens the common way (a who-am-I request, then a
 * create request with a name, maybe scopes and an expiry, the secret somewhere in the answer).
 *
 * A recipe is plain JSON (see `example.json` beside this file). `validate.ts` checks one and reports a message per
 * field; `adapter.ts` turns a valid one into a `Site` that runs every request through the tab's `PageClient`.
 *
 * Conventions used below:
 * - **Path**: starts with `/`, stays on the tab's origin: no `//`, no scheme, no `\`, no `.`/`..` segment, no `#`.
 *   It may hold a query (`/api/tokens?limit=100`).
 * - **Template**: text with placeholders in braces. Which placeholders a field takes is said per field; any other
 *   `{…}` is refused. A value substituted into a path is encoded as one path segment (a user id `a/../b` stays one
 *   segment); a value that would be `.` or `..` is refused.
 * - **Pointer**: a JSON pointer (RFC 6901) into a JSON answer: `""` is the whole answer, `/data/id` a field,
 *   `/items/0` an array's first item, `~1` stands for `/` and `~0` for `~` inside a name.
 *
 * Changes (only optional fields are ever added, so recipes written against an earlier version stay valid):
 * - format 1: first version.
 * - format 1, before any recipe used it: `create.expiresAt` removed (the expiry shown is the one the user picked).
 * - format 1: `create.idFromList` (a new token's id from the token list) and `failures` (next steps per failure) added.
 */

/** The placeholders a template may hold, by where it is used. */
export type Placeholder = 'userId' | 'userName' | 'name' | 'scopes' | 'expiresAt' | 'tokenId' | 'token';

export type RecipeMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A JSON value as a body template: strings in it may hold placeholders (see `CreateSpec.body`). */
export type BodyTemplate = string | number | boolean | null | BodyTemplate[] | { [key: string]: BodyTemplate };

export interface Recipe {
  /** The version of this format; always `1` for now. */
  format: 1;
  /**
   * Lower-case letters, digits and dashes, 1–40 characters, e.g. `gitea`. The adapter's id becomes `recipe:<id>`; a
   * recipe the user adds with the id of an existing one replaces it (a built-in one cannot be replaced, only copied
   * under another id).
   */
  id: string;
  /** The product's name as the user knows it, 1–60 characters, e.g. `Gitea`. Shown in the popup and panel. */
  name: string;
  /**
   * Where the recipe applies: 1–20 origin patterns `scheme://host[:port]`. `scheme` is `https`, `http` or `*` (either);
   * `host` is a host name, an IP address, or `*.` plus a domain of at least two labels (`*.example.com` matches
   * `a.example.com` and `a.b.example.com`, not `example.com`); no port matches any port. Nothing else: `*`, `*://*`,
   * `<all_urls>`, `*.com` are refused. A recipe is only ever asked about a tab whose origin matches one of these (or
   * that an explicit per-origin override in the options assigns to it).
   */
  origins: string[];
  /** Path of the site's sign-in page, offered as the "Sign in" link when the session is gone. Default `/`. */
  loginPath?: string;
  /**
   * The environment variable a `.env` line names, e.g. `GITEA_TOKEN`: capitals, digits and `_`, starting with a letter.
   * Default: the id in capitals with `-` as `_`, plus `_TOKEN`.
   */
  envName?: string;
  /**
   * Headers sent with every request of this recipe (session and token requests alike), e.g.
   * `{"Accept": "application/json", "X-Requested-With": "XMLHttpRequest"}`. Names are HTTP token characters; values
   * plain text without line breaks. `Cookie`, `Host`, `Origin`, `Referer`, `Content-Length` and `Sec-…`/`Proxy-…` are
   * refused (the browser sets those).
   */
  headers?: Record<string, string>;
  /** The who-am-I request with the session: it recognises the site (the probe) and names the user. */
  whoami: WhoamiSpec;
  /** How the site's anti-forgery (CSRF) token is obtained for the create and revoke requests. Default `{"from":"none"}`. */
  csrf?: CsrfSpec;
  /** Token names, scopes and expiry as the popup offers them. */
  token?: TokenSpec;
  /** The request that makes a token. */
  create: CreateSpec;
  /** The request that lists the user's tokens (the panel); absent: the panel lists only tokens kept in the vault. */
  list?: ListSpec;
  /** The request that revokes one token; absent: the panel offers no Revoke. */
  revoke?: RevokeSpec;
  /** How a client sends the token. */
  auth: AuthSpec;
  /**
   * What the user should do about failures the site explains in its own way, first match wins, e.g. Nextcloud's 403
   * "Password confirmation is required" asks for `sign-in`, not an admin. Up to 20. The sentence stays Tokenmint's
   * (with the site's own words where its answer has them); only the next step changes. Statuses that mean "signed
   * out" (see `whoami.signedOutStatuses`) always offer Sign in.
   */
  failures?: FailureSpec[];
  /** The who-am-I request with the token alone (no cookies): proves a token works. */
  verify: VerifySpec;
}

export interface WhoamiSpec {
  /** Path of the request (GET, with the session cookie), e.g. `/api/v1/user`. No placeholders. */
  path: string;
  /** Pointer to the user's id, as the site's API uses it (in paths: `{userId}`); a non-empty string or a number. */
  userId: string;
  /** Pointer to the name shown for the user (`{userName}` in templates); default: the id. */
  userName?: string;
  /** Pointer to the organisation or tenant, shown beside the user. */
  org?: string;
  /**
   * Pointers that must all be present in the answer for it to count as this site; they keep a recipe from taking some
   * other product's answer for its own. `userId` always must be.
   */
  expect?: string[];
  /** Statuses that mean "not signed in" (the popup offers Sign in). Default `[401]`. Redirects always mean it too. */
  signedOutStatuses?: number[];
}

/** Where the CSRF token comes from; it is sent in `header` with the create and revoke requests. */
export type CsrfSpec =
  | { from: 'none' }
  /** A readable cookie echoed in a header (read inside the tab), e.g. cookie `_csrf` → header `X-Csrf-Token`. */
  | { from: 'cookie'; cookie: string; header: string }
  /**
   * A value in an HTML page fetched with GET: the `content` of `<meta name="…">` (`meta`), or the `value` of
   * `<input name="…">` (`input`). Exactly one of the two.
   */
  | { from: 'page'; path: string; meta?: string; input?: string; header: string }
  /** A value in a JSON answer of a GET, at `pointer`. */
  | { from: 'json'; path: string; pointer: string; header: string }
  /** A header of a GET's answer (`responseHeader`, e.g. `X-CSRF-Token`), sent back in `header`. */
  | { from: 'header'; path: string; responseHeader: string; header: string };

export interface TokenSpec {
  /**
   * The rule a token name follows. Absent: tokens still get the popup's suggested name, but no name box is required.
   * `pattern` is a regular expression the whole name must match (default: any), `hint` the sentence shown when it
   * does not.
   */
  name?: { maxLength: number; pattern?: string; hint?: string };
  /**
   * Scopes the user can tick, as scope ids or `{id, description}`. `defaults` are ticked at first; `atLeastOne` makes
   * the popup insist on one. In a body, a value that is exactly `"{scopes}"` becomes the list (JSON: an array of
   * strings; form: the field repeated); inside other text the ids are joined with `join` (default `,`).
   */
  scopes?: {
    choices: Array<string | { id: string; description?: string }>;
    defaults?: string[];
    atLeastOne?: boolean;
    join?: string;
  };
  /**
   * An expiry the user picks in days (`minDays`–`maxDays`, default 1–365, `defaultDays` 30). `format` is how the site
   * takes it as `{expiresAt}`: `iso` (`2026-12-31T23:59:59.000Z`), `date` (`2026-12-31`), `unix` (seconds since 1970),
   * `unix-ms`, `seconds` (seconds to live) or `days` (days to live). Absent: tokens have no expiry the user picks,
   * and a body value that is exactly `"{expiresAt}"` is left out.
   */
  expiry?: {
    format: 'iso' | 'date' | 'unix' | 'unix-ms' | 'seconds' | 'days';
    minDays?: number;
    maxDays?: number;
    defaultDays?: number;
  };
}

export interface CreateSpec {
  /** `POST` (default), `PUT` or `PATCH`. */
  method?: 'POST' | 'PUT' | 'PATCH';
  /** Path template; placeholders `{userId}`, `{userName}`. e.g. `/api/v1/users/{userName}/tokens`. */
  path: string;
  /** How the body is sent: `json` (default, `application/json`) or `form` (`application/x-www-form-urlencoded`). */
  contentType?: 'json' | 'form';
  /**
   * The body as a template. `json`: any JSON value whose strings may hold `{name}`, `{scopes}`, `{expiresAt}`,
   * `{userId}`, `{userName}`; a string that is exactly one placeholder becomes that value with its own type (scopes an
   * array, a numeric expiry a number), other strings get the text. `form`: an object of field → template string.
   * Values are always encoded for their place; they never become JSON or form syntax.
   */
  body?: BodyTemplate;
  /** Pointer to the secret in the answer: what a client sends (`{token}` in `auth.value`). */
  secret: string;
  /** Pointer to the new token's id on the site (for revoke); default: the token's name. */
  id?: string;
  /**
   * `true` where the answer does not say which token is new (GitLab's lists every active token, the new one
   * unmarked): the id is looked up in the token list (`list`, required), as the one named like the new token that
   * was not listed before the create. Costs a list request before and after each create; where the list cannot tell
   * (it failed, or two new tokens share the name), the name stands in as with no `id`. Not together with `id`.
   */
  idFromList?: boolean;
  /** Pointer to the token's name as the site stored it; default: the name asked for. */
  name?: string;
  /** Statuses that mean "made". Default `[200, 201]`. */
  okStatuses?: number[];
}

export interface ListSpec {
  /** Path template (GET, with the session); placeholders `{userId}`, `{userName}`. */
  path: string;
  /** Pointer to the array of tokens in the answer; default `""` (the answer is the array). */
  items?: string;
  /** Pointer, inside one item, to the token's id (a non-empty string or a number). */
  id: string;
  /** Pointer, inside one item, to the name shown; default: the id. */
  name?: string;
  /** Pointers, inside one item, to ISO 8601 times or seconds since 1970. */
  createdAt?: string;
  expiresAt?: string;
  lastUsedAt?: string;
  /** Pointer, inside one item, to the token's scopes (an array of strings, or one string joined by `scopes.join`). */
  scopes?: string;
}

export interface RevokeSpec {
  /** `DELETE` (default) or `POST`. */
  method?: 'DELETE' | 'POST';
  /** Path template; placeholders `{userId}`, `{userName}`, `{tokenId}`. */
  path: string;
  /** Statuses that mean "revoked". Default `[200, 202, 204]`; a 404 always counts as "gone already". */
  okStatuses?: number[];
}

/** The next steps a failure may name; Tokenmint says each in the browser's language. */
export type FailureNext = 'sign-in' | 'reload' | 'check-input' | 'ask-admin' | 'retry-later';

export interface FailureSpec {
  /** The status of the failed answer, of any request of the recipe (create, list, revoke, CSRF, verify). */
  status: number;
  /** Text the answer's body must hold (any case) for this entry to apply, 1–200 characters; absent: any body. */
  contains?: string;
  /**
   * What the user should do: `sign-in` (sign in again or confirm the password on the site, then retry; with a Sign
   * in link), `reload` (reload the site's tab), `check-input` (the token's name, scopes and expiry), `ask-admin` (ask
   * the site's admin for access), `retry-later` (try again in a moment). A fixed set rather than free text, so the
   * step is said in the user's language and an imported recipe cannot put words of its own in Tokenmint's mouth.
   */
  next: FailureNext;
}

export interface AuthSpec {
  /** The header a client sends the token in, e.g. `Authorization`. */
  header: string;
  /** Its value as a template with exactly one `{token}`, e.g. `Bearer {token}` or `token {token}`. */
  value: string;
}

export interface VerifySpec {
  /** Path of the who-am-I sent with the token alone (GET, no cookies), e.g. `/api/v1/user`. No placeholders. */
  path: string;
  /** Pointer to the user id in its answer; default: `whoami.userId`. */
  userId?: string;
  /** Statuses that mean "this token does not work". Default `[401, 403]`. */
  invalidStatuses?: number[];
}
