import { siteDetail, siteError, type SiteError } from './errors.ts';
import type { PageResponse } from './page-request.ts';

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
        `${siteName} answered with a web page instead of data; a sign-in page or a proxy may be in the way.`,
        `Reload the ${siteName} tab, sign in if asked, and try again.`,
      )
    : siteError(
        'unexpected-response',
        `${siteName} sent an answer Tokenmint could not read.`,
        `Reload the ${siteName} tab and try again.`,
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

/** `detail` (RFC 7807), `message` or `error` of a JSON error body, if the body is one. */
export function errorDetail(response: PageResponse): string | undefined {
  const body = jsonOrUndefined(response.body);
  if (!isRecord(body)) return undefined;
  return siteDetail(body.detail) ?? siteDetail(body.message) ?? siteDetail(body.error);
}

/** The failures every site shares; adapters handle their own statuses first and fall back to this. */
export function commonFailure(siteName: string, response: PageResponse): SiteError {
  const { status } = response;
  const detail = errorDetail(response);
  const says = detail ? ` ${siteName} says: ${detail}.` : '';
  if (status === 429) {
    const wait = Number(response.headers['retry-after']);
    return siteError(
      'rate-limited',
      `${siteName} is limiting requests right now.`,
      Number.isFinite(wait) && wait > 0 ? `Wait ${Math.ceil(wait)} seconds and try again.` : 'Wait a minute and try again.',
    );
  }
  if (status >= 500) {
    return siteError('server', `${siteName} had a server error (${status}).${says}`, 'Try again in a moment.');
  }
  if (status === 403) {
    return siteError('forbidden', `${siteName} refused the request (403).${says}`, `Ask a ${siteName} admin for access.`);
  }
  if (status === 404) {
    return siteError('not-found', `${siteName} could not find what Tokenmint asked for (404).${says}`, 'Reload the tab and try again.');
  }
  if (status >= 200 && status < 300) return unexpectedAnswer(siteName, response);
  return siteError('invalid', `${siteName} refused the request (${status}).${says}`, 'Check your input and try again.');
}
