import { siteError } from '../../core/errors.ts';
import { pathPart } from '../../core/http.ts';
import { t } from '../../core/i18n.ts';
import type { BodyTemplate, Placeholder, TokenSpec } from './format.ts';

/**
 * Filling a recipe's templates with the values of one request. A value is always encoded for its place (one path
 * segment, a JSON value, a form field): user data never becomes syntax of the request.
 */

/** What the placeholders stand for; an absent one (no expiry picked) leaves out a body value that is only it. */
export type Values = Partial<Record<Placeholder, string | number | string[]>>;

const PLACEHOLDER = /\{([A-Za-z]+)\}/g;
const ONLY_PLACEHOLDER = /^\{([A-Za-z]+)\}$/;

/** The placeholder names a template holds, in order. */
export function placeholdersIn(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((match) => match[1]!);
}

function valueOf(values: Values, name: string): Values[Placeholder] {
  return Object.hasOwn(values, name) ? values[name as Placeholder] : undefined;
}

/** A value inside other text: lists joined with `join`. */
function inText(value: Values[Placeholder], join: string): string {
  return Array.isArray(value) ? value.join(join) : value === undefined ? '' : String(value);
}

/** A path that stays a path on the tab's origin whatever is filled in (see format.ts). */
export function isSafePath(value: string): boolean {
  if (!value.startsWith('/') || value.startsWith('//') || /[\\#\s\u0000-\u001f\u007f]/.test(value)) return false;
  // Also the encoded dots the URL parser takes for dot segments.
  return !value.split('?')[0]!.split('/').some((segment) => /^(\.|%2e){1,2}$/i.test(segment));
}

/**
 * A path with each placeholder as exactly one encoded segment. A value that is empty, `.` or `..` is refused: the
 * URL parser would drop it or climb out of the recipe's path with it. The template itself is checked again here,
 * whoever checked the recipe before: no request of a recipe leaves the path form.
 */
export function fillPath(template: string, values: Values, siteName: string): string {
  if (!isSafePath(template)) throw siteError('internal', t('recipe_unsafe_path', siteName), t('recipe_unsafe_path_next', siteName));
  return template.replace(PLACEHOLDER, (_, name: string) => {
    const text = inText(valueOf(values, name), ',');
    if (text === '' || text === '.' || text === '..') {
      throw siteError('unexpected-response', t('recipe_bad_value', siteName), t('recipe_reload_next', siteName));
    }
    return pathPart(text);
  });
}

/** A JSON body: a string that is only a placeholder takes the value with its own type; others get it as text. */
export function fillJson(template: BodyTemplate, values: Values, join: string): unknown {
  if (typeof template === 'string') {
    const only = ONLY_PLACEHOLDER.exec(template);
    if (only) return valueOf(values, only[1]!);
    return template.replace(PLACEHOLDER, (_, name: string) => inText(valueOf(values, name), join));
  }
  if (Array.isArray(template)) return template.map((item) => fillJson(item, values, join)).filter((item) => item !== undefined);
  if (template === null || typeof template !== 'object') return template;
  // JSON.stringify leaves out the undefined ones.
  return Object.fromEntries(Object.entries(template).map(([key, item]) => [key, fillJson(item, values, join)]));
}

/** A form body: a field that is only `{scopes}` is repeated per scope; a field with no value is left out. */
export function fillForm(template: Record<string, string>, values: Values, join: string): string {
  const form = new URLSearchParams();
  for (const [field, text] of Object.entries(template)) {
    const value = fillJson(text, values, join) as Values[Placeholder];
    for (const item of Array.isArray(value) ? value : value === undefined ? [] : [value]) form.append(field, String(item));
  }
  return form.toString();
}

/** The expiry `days` from `now` as the site takes it. */
export function expiryValue(format: NonNullable<TokenSpec['expiry']>['format'], days: number, now: number): string | number {
  const at = now + days * 86_400_000;
  switch (format) {
    case 'days':
      return days;
    case 'seconds':
      return days * 86_400;
    case 'unix':
      return Math.floor(at / 1000);
    case 'unix-ms':
      return at;
    case 'date':
      return new Date(at).toISOString().slice(0, 10);
    case 'iso':
      return new Date(at).toISOString();
  }
}
