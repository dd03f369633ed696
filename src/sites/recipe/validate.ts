import { t, type MessageKey } from '../../core/i18n.ts';
import type { Placeholder, Recipe } from './format.ts';
import { isOriginPattern } from './origin-pattern.ts';
import { isPointer } from './pointer.ts';
import { isSafePath, placeholdersIn } from './template.ts';

/**
 * Checks a recipe against a declarative schema of its fields and says, per field, what is wrong. Hand-written
 * rather than a schema library: the extension's CSP forbids the code generation such libraries use, and this stays
 * small in the worker, the only place a recipe is checked.
 */

/** One thing wrong with a recipe: `field` is its dotted place (`create.path`, `origins.1`; '' for the whole). */
export interface FieldProblem {
  field: string;
  message: string;
}

export type Checked = { ok: true; recipe: Recipe } | { ok: false; problems: FieldProblem[] };

/** A rule checks the value at `field` and adds what is wrong to `problems`. */
type Rule = (value: unknown, field: string, problems: FieldProblem[]) => void;
interface Optional {
  optional: Rule;
}
type Fields = Record<string, Rule | Optional>;

function say(problems: FieldProblem[], field: string, key: MessageKey, ...subs: (string | number)[]): void {
  problems.push({ field, message: t(key, ...subs) });
}

const at = (field: string, key: string) => (field ? `${field}.${key}` : key);
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const optional = (rule: Rule): Optional => ({ optional: rule });

function object(fields: Fields, ...more: Rule[]): Rule {
  return (value, field, problems) => {
    if (!isObject(value)) return say(problems, field, 'recipe_v_object');
    const before = problems.length;
    for (const key of Object.keys(value)) if (!Object.hasOwn(fields, key)) say(problems, at(field, key), 'recipe_v_unknown');
    for (const [key, spec] of Object.entries(fields)) {
      const rule = typeof spec === 'function' ? spec : spec.optional;
      if (Object.hasOwn(value, key)) rule(value[key], at(field, key), problems);
      else if (typeof spec === 'function') say(problems, at(field, key), 'recipe_v_required');
    }
    // Rules over several fields trust each field's own check: they run only on an object without problems.
    for (const rule of more) if (problems.length === before) rule(value, field, problems);
  };
}

/** Text of 1 to `max` characters, then `check`'s message key when it finds one. */
function text(max: number, check?: (value: string) => MessageKey | null): Rule {
  return (value, field, problems) => {
    if (typeof value !== 'string') return say(problems, field, 'recipe_v_text');
    if (value.length < 1 || value.length > max) return say(problems, field, 'recipe_v_length', max);
    const problem = check?.(value);
    if (problem) say(problems, field, problem);
  };
}

const whole = (min: number, max: number): Rule => (value, field, problems) => {
  if (!Number.isSafeInteger(value) || (value as number) < min || (value as number) > max) say(problems, field, 'recipe_v_whole', min, max);
};

const oneOf = (...choices: unknown[]): Rule => (value, field, problems) => {
  if (!choices.includes(value)) say(problems, field, 'recipe_v_one_of', choices.join(', '));
};

function list(item: Rule, min: number, max: number): Rule {
  return (value, field, problems) => {
    if (!Array.isArray(value)) return say(problems, field, 'recipe_v_list');
    if (value.length < min || value.length > max) return say(problems, field, 'recipe_v_count', min, max);
    value.forEach((entry, index) => item(entry, at(field, String(index)), problems));
  };
}

const pointer: Rule = (value, field, problems) => {
  if (typeof value !== 'string' || value.length > 500 || !isPointer(value)) say(problems, field, 'recipe_v_pointer');
};

/** The placeholders a template may hold: any other is named in the message. */
function placeholders(allowed: readonly Placeholder[]): (value: string, field: string, problems: FieldProblem[]) => void {
  return (value, field, problems) => {
    const wrong = placeholdersIn(value).find((name) => !(allowed as string[]).includes(name));
    if (wrong === undefined) return;
    if (allowed.length) say(problems, field, 'recipe_v_placeholder', wrong, allowed.map((name) => `{${name}}`).join(' '));
    else say(problems, field, 'recipe_v_no_placeholder', wrong);
  };
}

function path(...allowed: Placeholder[]): Rule {
  const check = placeholders(allowed);
  return (value, field, problems) => {
    const before = problems.length;
    text(2000, (path) => (isSafePath(path) ? null : 'recipe_v_path'))(value, field, problems);
    if (problems.length === before) check(value as string, field, problems);
  };
}

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/;
/** What the browser sets itself, or refuses to let a page set. */
const BROWSER_HEADERS = /^(cookie|cookie2|host|origin|referer|content-length|connection|keep-alive|te|trailer|transfer-encoding|upgrade|via|expect|date|dnt|(sec|proxy)-.*)$/i;

const headerName: Rule = (value, field, problems) => {
  if (typeof value !== 'string' || !HEADER_NAME.test(value)) return say(problems, field, 'recipe_v_header_name');
  if (BROWSER_HEADERS.test(value)) say(problems, field, 'recipe_v_header_browser', value);
};

const headerValue = text(2000, (value) => (/[\r\n\u0000]/.test(value) ? 'recipe_v_line_break' : null));

const headers: Rule = (value, field, problems) => {
  if (!isObject(value)) return say(problems, field, 'recipe_v_object');
  for (const [name, item] of Object.entries(value)) {
    headerName(name, at(field, name), problems);
    headerValue(item, at(field, name), problems);
  }
};

const statuses = list(whole(100, 599), 1, 20);

const isRegex = (value: string): MessageKey | null => {
  try {
    new RegExp(value);
    return null;
  } catch {
    return 'recipe_v_regex';
  }
};

const BODY_PLACEHOLDERS: Placeholder[] = ['name', 'scopes', 'expiresAt', 'userId', 'userName'];
const bodyText = placeholders(BODY_PLACEHOLDERS);

/** A JSON body template: any JSON value, its strings holding only body placeholders; bounded in depth. */
function body(value: unknown, field: string, problems: FieldProblem[], depth = 0): void {
  if (depth > 10) return say(problems, field, 'recipe_v_deep');
  if (typeof value === 'string') return bodyText(value, field, problems);
  if (Array.isArray(value)) return value.forEach((item, index) => body(item, at(field, String(index)), problems, depth + 1));
  if (isObject(value)) {
    for (const [key, item] of Object.entries(value)) body(item, at(field, key), problems, depth + 1);
  }
}

/** A form body is flat: field → text. */
const formBody: Rule = (value, field, problems) => {
  const create = value as Record<string, unknown>;
  if (create.contentType !== 'form' || create.body === undefined) return;
  const fields = create.body;
  if (!isObject(fields) || Object.values(fields).some((item) => typeof item !== 'string')) {
    say(problems, at(field, 'body'), 'recipe_v_form_body');
  }
};

/** `idFromList` looks the id up instead of reading it from the answer: not both. */
const oneIdSource: Rule = (value, field, problems) => {
  const create = value as { id?: string; idFromList?: boolean };
  if (create.idFromList && create.id !== undefined) say(problems, at(field, 'idFromList'), 'recipe_v_id_or_list');
};

/** `idFromList` needs the list it looks in. */
const listForId: Rule = (value, _field, problems) => {
  const recipe = value as Recipe;
  if (recipe.create.idFromList && !recipe.list) say(problems, 'create.idFromList', 'recipe_v_needs_list');
};

const csrfVariants: Record<string, Fields> = {
  none: { from: oneOf('none') },
  cookie: { from: oneOf('cookie'), cookie: text(200, (name) => (/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name) ? null : 'recipe_v_cookie')), header: headerName },
  page: { from: oneOf('page'), path: path(), meta: optional(text(200)), input: optional(text(200)), header: headerName },
  json: { from: oneOf('json'), path: path(), pointer, header: headerName },
  header: { from: oneOf('header'), path: path(), responseHeader: headerName, header: headerName },
};

const exactlyOneSource: Rule = (value, field, problems) => {
  const csrf = value as Record<string, unknown>;
  if (csrf.from === 'page' && (csrf.meta === undefined) === (csrf.input === undefined)) say(problems, field, 'recipe_v_meta_or_input');
};

const csrf: Rule = (value, field, problems) => {
  const from = isObject(value) ? value.from : undefined;
  const variant = typeof from === 'string' && Object.hasOwn(csrfVariants, from) ? csrfVariants[from] : undefined;
  if (!variant) return say(problems, at(field, 'from'), 'recipe_v_one_of', Object.keys(csrfVariants).join(', '));
  object(variant, exactlyOneSource)(value, field, problems);
};

const scopeId = text(200);
const choice: Rule = (value, field, problems) => {
  if (typeof value === 'string') return scopeId(value, field, problems);
  object({ id: scopeId, description: optional(text(300)) })(value, field, problems);
};

const defaultsAreChoices: Rule = (value, field, problems) => {
  const scopes = value as { choices: Array<string | { id: string }>; defaults?: string[] };
  const ids = scopes.choices.map((item) => (typeof item === 'string' ? item : item.id));
  scopes.defaults?.forEach((id, index) => {
    if (!ids.includes(id)) say(problems, at(field, `defaults.${index}`), 'recipe_v_default');
  });
};

const daysInOrder: Rule = (value, field, problems) => {
  const { minDays = 1, maxDays = 365, defaultDays = 30 } = value as { minDays?: number; maxDays?: number; defaultDays?: number };
  if (!(minDays <= defaultDays && defaultDays <= maxDays)) say(problems, field, 'recipe_v_days_order');
};

const days = whole(1, 3650);

const oneToken: Rule = (value, field, problems) => {
  const auth = value as { value: string };
  if (auth.value.split('{token}').length !== 2) say(problems, at(field, 'value'), 'recipe_v_one_token');
};

const schema = object({
  format: oneOf(1),
  id: text(40, (id) => (/^[a-z][a-z0-9-]*$/.test(id) ? null : 'recipe_v_id')),
  name: text(60, (name) => (/[\u0000-\u001f]/.test(name) ? 'recipe_v_line_break' : null)),
  origins: list(text(300, (origin) => (isOriginPattern(origin) ? null : 'recipe_v_origin')), 1, 20),
  loginPath: optional(path()),
  envName: optional(text(100, (name) => (/^[A-Z][A-Z0-9_]*$/.test(name) ? null : 'recipe_v_env'))),
  headers: optional(headers),
  whoami: object({
    path: path(),
    userId: pointer,
    userName: optional(pointer),
    org: optional(pointer),
    expect: optional(list(pointer, 1, 20)),
    signedOutStatuses: optional(statuses),
  }),
  csrf: optional(csrf),
  token: optional(
    object({
      name: optional(object({ maxLength: whole(1, 1000), pattern: optional(text(500, isRegex)), hint: optional(text(300)) })),
      scopes: optional(
        object(
          {
            choices: list(choice, 1, 200),
            defaults: optional(list(scopeId, 0, 200)),
            atLeastOne: optional(oneOf(true, false)),
            join: optional(text(10)),
          },
          defaultsAreChoices,
        ),
      ),
      expiry: optional(
        object(
          {
            format: oneOf('iso', 'date', 'unix', 'unix-ms', 'seconds', 'days'),
            minDays: optional(days),
            maxDays: optional(days),
            defaultDays: optional(days),
          },
          daysInOrder,
        ),
      ),
    }),
  ),
  create: object(
    {
      method: optional(oneOf('POST', 'PUT', 'PATCH')),
      path: path('userId', 'userName'),
      contentType: optional(oneOf('json', 'form')),
      body: optional((value, field, problems) => body(value, field, problems)),
      secret: pointer,
      id: optional(pointer),
      idFromList: optional(oneOf(true, false)),
      name: optional(pointer),
      okStatuses: optional(statuses),
    },
    formBody,
    oneIdSource,
  ),
  list: optional(
    object({
      path: path('userId', 'userName'),
      items: optional(pointer),
      id: pointer,
      name: optional(pointer),
      createdAt: optional(pointer),
      expiresAt: optional(pointer),
      lastUsedAt: optional(pointer),
      scopes: optional(pointer),
    }),
  ),
  revoke: optional(
    object({
      method: optional(oneOf('DELETE', 'POST')),
      path: path('userId', 'userName', 'tokenId'),
      okStatuses: optional(statuses),
    }),
  ),
  auth: object({ header: headerName, value: text(500, (value) => (/[\r\n\u0000]/.test(value) ? 'recipe_v_line_break' : null)) }, oneToken),
  verify: object({ path: path(), userId: optional(pointer), invalidStatuses: optional(statuses) }),
  failures: optional(
    list(
      object({
        status: whole(100, 599),
        contains: optional(text(200)),
        next: oneOf('sign-in', 'reload', 'check-input', 'ask-admin', 'retry-later'),
      }),
      1,
      20,
    ),
  ),
}, listForId);

/** Checks a parsed recipe. */
export function validateRecipe(value: unknown): Checked {
  const problems: FieldProblem[] = [];
  schema(value, '', problems);
  return problems.length ? { ok: false, problems } : { ok: true, recipe: value as Recipe };
}

/** Parses and checks a recipe as the user pasted it. */
export function parseRecipe(text: string): Checked {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, problems: [{ field: '', message: t('recipe_v_json') }] };
  }
  return validateRecipe(value);
}
