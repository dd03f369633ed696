import { gooddata } from './gooddata.ts';
import type { Site, SiteId } from './types.ts';

/** Every adapter, in the order their probes are preferred when more than one claims an origin. */
export const sites: readonly Site[] = [gooddata];

export function siteById(id: string): Site | undefined {
  return sites.find((site) => site.id === id);
}

export type { Site, SiteId };
