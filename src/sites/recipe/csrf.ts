import { siteError, type SiteError } from '../../core/errors.ts';
import { jsonOrUndefined } from '../../core/http.ts';
import { t } from '../../core/i18n.ts';
import type { PageClient } from '../../core/page-client.ts';
import type { PageRequest, PageResponse } from '../../core/page-request.ts';
import type { Recipe } from './format.ts';
import { valueAt } from './pointer.ts';
import { fillPath } from './template.ts';

/**
 * The anti-forgery token of a recipe's create and revoke requests, as the part of the request that carries it: a
 * cookie echoed inside the tab, or a header holding a value read from a page, a JSON answer or a response header.
 */
export async function csrfFor(
  client: PageClient,
  recipe: Recipe,
  failure: (client: PageClient, response: PageResponse) => SiteError,
): Promise<Pick<PageRequest, 'headers' | 'echoCookie'>> {
  const csrf = recipe.csrf ?? { from: 'none' };
  if (csrf.from === 'none') return {};
  if (csrf.from === 'cookie') return { echoCookie: { cookie: csrf.cookie, header: csrf.header } };
  const response = await client.request({ method: 'GET', path: fillPath(csrf.path, {}, recipe.name), headers: recipe.headers ?? {} });
  if (response.status !== 200) throw failure(client, response);
  const value =
    csrf.from === 'header'
      ? response.headers[csrf.responseHeader.toLowerCase()]
      : csrf.from === 'json'
        ? valueAt(jsonOrUndefined(response.body), csrf.pointer)
        : csrf.meta !== undefined
          ? attributeOf(response.body, 'meta', csrf.meta, 'content')
          : attributeOf(response.body, 'input', csrf.input!, 'value');
  if (typeof value !== 'string' || !value || /[\r\n\u0000]/.test(value)) {
    throw siteError('csrf-refused', t('recipe_csrf_missing', recipe.name), t('recipe_csrf_missing_next', recipe.name));
  }
  return { headers: { [csrf.header]: value } };
}

/** `wanted` of the first `<tag name="…">` in an HTML page, with its character references decoded. */
export function attributeOf(html: string, tag: string, name: string, wanted: string): string | undefined {
  // Only the head and a form's start matter; a bounded prefix keeps the scan cheap whatever the page.
  for (const [element] of html.slice(0, 500_000).matchAll(new RegExp(`<${tag}\\b[^>]*>`, 'gi'))) {
    if (attribute(element, 'name') === name) return attribute(element, wanted);
  }
  return undefined;
}

function attribute(element: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(element);
  const raw = match && (match[1] ?? match[2] ?? match[3]);
  return raw?.replace(/&(#x[0-9a-f]+|#\d+|amp|quot|apos|lt|gt);/gi, (_, ref: string) => {
    const named: Record<string, string> = { amp: '&', quot: '"', apos: "'", lt: '<', gt: '>' };
    if (ref[0] !== '#') return named[ref.toLowerCase()]!;
    const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : Number(ref.slice(1));
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '\uFFFD';
  });
}
