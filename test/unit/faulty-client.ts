import type { SiteError } from '../../src/core/errors.ts';
import type { PageClient } from '../../src/core/page-client.ts';
import type { PageRequest, PageResponse } from '../../src/core/page-request.ts';

/**
 * What goes wrong with a matching request:
 * - `lose`: the request reaches the site (which acts on it), then its answer is lost and `error` is thrown instead;
 * - `drop`: `error` is thrown before the request leaves, so the site never sees it;
 * - `rewrite`: the request reaches the site and its answer arrives changed (cut off, swapped for a proxy's page, …).
 */
export type ClientFault =
  | { kind: 'lose'; error: SiteError }
  | { kind: 'drop'; error: SiteError }
  | { kind: 'rewrite'; answer: (response: PageResponse) => PageResponse };

export interface FaultyClient extends PageClient {
  /** How many requests the fault has applied to so far. */
  readonly hits: number;
}

/**
 * A PageClient decorator for the failures an emulated site cannot stage on its own: the site did its work, but the
 * answer never arrived. Requests that do not match, or come after `times` hits (default: all), pass through.
 */
export function faultyClient(
  inner: PageClient,
  matches: (request: PageRequest) => boolean,
  fault: ClientFault,
  times = Infinity,
): FaultyClient {
  let hits = 0;
  return {
    origin: inner.origin,
    get hits() {
      return hits;
    },
    async request(request) {
      if (hits >= times || !matches(request)) return inner.request(request);
      hits++;
      if (fault.kind === 'drop') throw fault.error;
      const response = await inner.request(request);
      if (fault.kind === 'lose') throw fault.error;
      return fault.answer(response);
    },
  };
}
