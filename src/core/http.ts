import { siteDetail, siteError, type SiteError } from './errors.ts';
import type { PageResponse } from './page-request.ts';
import { t } from './i18n.ts';

/** Shared reading of site answers, so every adapter judges HTML, garbage and server errors alike. */

export function mediaType(response: PageResponse): string {
  return (response.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

export function looksLikeHtml(response: PageResponse): boolean {
  return mediaType(response) === 'text/html' || /^\s*<(!doctype|html)/i.test(response.body);
}

/** Parses a JSON body whatever JSON media type the site labels it with; anything else is the site's fault. */
export function readJson(siteName: string, response: PageResponse): unknown {
  const body = looksLikeHtml(response) ? undefined : jsonOrUndefined(response.body);
  if (body === undefined) throw unexpectedAnswer(siteName, response);
  return body;
}

export function unexpectedAnswer(siteName: string, response: PageResponse): SiteError {
  return looksLikeHtml(response)
    ? siteError(
        'unexpected-response',
        t('http_webPage', siteName),
        t('http_webPageNext', siteName),
      )
    : siteError(
        'unexpected-response',
        t('http_unreadable', siteName),
        t('site_reloadTab', siteName),
      );
}

/**
 * A path segment from a value the site sent (a user or token id). encodeURIComponent throws on a lone surrogate,
 * which a hostile or broken answer can hold: such a character becomes U+FFFD, so the request goes out (and fails on
 * the site) instead of the adapter throwing something that is not a SiteError.
 */
export function pathPart(value: string): string {
  return encodeURIComponent(value.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'));
}

/** A value the site sent, as text only when it is text: `String()` of an object can throw, or run the site's data. */
export function asText(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The parsed body, or undefined when it is not JSON (JSON itself has no undefined). */
export function jsonOrUndefined(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * `detail` (RFC 7807), `message` or `error` of a JSON error body, or its `errors` list (GitLab's `["…"]`, GraphQL's
 * and JSON:API's `[{message | detail}]`), if the body is one.
 */
export function errorDetail(response: PageResponse): string | undefined {
  const body = jsonOrUndefined(response.body);
  if (!isRecord(body)) return undefined;
  return siteDetail(body.detail) ?? siteDetail(body.message) ?? siteDetail(body.error) ?? listedErrors(body.errors);
}

/** The first few texts of an `errors` list, joined; the rest would not fit in one sentence anyway. */
function listedErrors(errors: unknown): string | undefined {
  if (!Array.isArray(errors)) return undefined;
  const texts = errors
    .slice(0, 3)
    .map((item) => siteDetail(isRecord(item) ? (item.detail ?? item.message) : item))
    .filter((text) => text !== undefined);
  return siteDetail(texts.join('; '));
}

/** What to do about a 429, after the site's Retry-After seconds where it sent a usable one. */
function waitFor(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds <= 0) return t('http_waitMinute');
  const whole = Math.ceil(seconds);
  return whole === 1 ? t('http_waitSecond') : t('http_waitSeconds', whole);
}

/** The failures every site shares; adapters handle their own statuses first and fall back to this. */
export function commonFailure(siteName: string, response: PageResponse): SiteError {
  const { status } = response;
  const detail = errorDetail(response);
  const says = detail ? ` ${t('http_says', siteName, detail)}` : '';
  if (status === 429) {
    const wait = Number(response.headers['retry-after']);
    return siteError(
      'rate-limited',
      t('http_rateLimited', siteName),
      waitFor(wait),
    );
  }
  if (status >= 500) {
    return siteError('server', `${t('http_server', siteName, status)}${says}`, t('http_serverNext'));
  }
  if (status === 403) {
    return siteError('forbidden', `${t('http_forbidden', siteName)}${says}`, t('http_forbiddenNext', siteName));
  }
  if (status === 404) {
    return siteError('not-found', `${t('http_notFound', siteName)}${says}`, t('http_notFoundNext'));
  }
  if (status >= 200 && status < 300) return unexpectedAnswer(siteName, response);
  return siteError('invalid', `${t('http_refused', siteName, status)}${says}`, t('http_refusedNext'));
}
