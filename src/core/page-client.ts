import { siteError } from './errors.ts';
import type { PageOutcome, PageRequest, PageResponse } from './page-request.ts';

/** How adapters talk to a site: every request runs as the site's own page would make it. */
export interface PageClient {
  readonly origin: string;
  request(request: PageRequest): Promise<PageResponse>;
}

/** The request as a client sends it, with the time limit filled in. */
export function withTimeout(request: PageRequest): PageRequest & { timeoutMs: number } {
  return { ...request, timeoutMs: request.timeoutMs ?? DEFAULT_TIMEOUT_MS };
}

export const DEFAULT_TIMEOUT_MS = 15_000;

/** Turns a failed page request into the user's sentence; a completed one (any status) is the adapter's to judge. */
export function responseOf(origin: string, outcome: PageOutcome, timeoutMs: number): PageResponse {
  if (outcome.ok) return outcome.response;
  const host = new URL(origin).host;
  switch (outcome.failure) {
    case 'navigated':
      return fail('navigated', `The tab is no longer on ${host}.`, `Go back to ${host} and try again.`);
    case 'timeout':
      return fail(
        'timeout',
        `${host} did not answer within ${seconds(timeoutMs)}.`,
        'Check that the site works in the tab, then try again.',
      );
    case 'off-origin':
      return fail('internal', 'Tokenmint refused to send a request outside this site.', 'Report this to the Tokenmint team.');
    case 'network':
      return fail('network', `${host} could not be reached.`, 'Check your connection and that the site loads, then try again.');
  }
}

function seconds(ms: number): string {
  const value = ms >= 1000 ? Math.round(ms / 1000) : ms / 1000;
  return value === 1 ? '1 second' : `${value} seconds`;
}

function fail(...args: Parameters<typeof siteError>): never {
  throw siteError(...args);
}
