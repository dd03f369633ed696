import { siteError } from './errors.ts';
import type { PageOutcome, PageRequest, PageResponse } from './page-request.ts';
import { t } from './i18n.ts';

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
      return fail('navigated', t('page_navigated', host), t('page_navigatedNext', host));
    case 'timeout':
      return fail(
        'timeout',
        t('page_timeout', host, seconds(timeoutMs)),
        t('page_timeoutNext'),
      );
    case 'off-origin':
      return fail('internal', t('page_offOrigin'), t('page_offOriginNext'));
    case 'network':
      return fail('network', t('page_unreachable', host), t('page_unreachableNext'));
  }
}

function seconds(ms: number): string {
  const value = ms >= 1000 ? Math.round(ms / 1000) : ms / 1000;
  return value === 1 ? t('page_oneSecond') : t('page_seconds', value.toLocaleString(t('ext_locale')));
}

function fail(...args: Parameters<typeof siteError>): never {
  throw siteError(...args);
}
