import { cds } from './cds.ts';
import { frappe } from './frappe.ts';
import { gooddata } from './gooddata.ts';
import { insightio } from './insightio.ts';
import type { Site, SiteId } from './types.ts';
import { zenodo } from './zenodo.ts';

/** Every adapter, in the order their probes are preferred when more than one claims an origin. */
export const sites: readonly Site[] = [gooddata, cds, frappe, zenodo, insightio];

export function siteById(id: string): Site | undefined {
  return sites.find((site) => site.id === id);
}

export type { Site, SiteId };
