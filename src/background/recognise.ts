import { siteError } from '../core/errors.ts';
import type { PageClient } from '../core/page-client.ts';
import type { SiteOverride } from '../core/settings.ts';
import { DEFAULT_API_BASE, cdsAt } from '../sites/cds.ts';
import { siteById, sites, type Site } from '../sites/index.ts';
import type { Probe, SiteUser } from '../sites/types.ts';
import { sessionRecords } from './session-store.ts';
import { ownRecipeMatches, recipeSiteFor, recipeSitesFor } from './recipes.ts';
import { getSettings } from './settings-store.ts';
import { t } from '../core/i18n.ts';

export interface Recognised {
  site: Site;
  probe: Exclude<Probe, { kind: 'not-this-site' }>;
}

interface Remembered {
  /** null: no adapter claimed the origin. */
  siteId: string | null;
  user?: SiteUser;
  at: number;
}

/** How long "no adapter knows this origin" holds before the probes run again (a site may be installed meanwhile). */
const UNKNOWN_FOR_MS = 10 * 60_000;

/** Which adapter an origin is, and the user last seen there; per browser session. */
const known = sessionRecords<Remembered>('origin');

/** The user's override for an origin (options page), if any. */
export async function overrideFor(origin: string): Promise<SiteOverride | undefined> {
  return (await getSettings()).overrides.find((override) => override.origin === origin);
}

/** One CDS adapter per API base path, so the same base always gives the same adapter. */
const cdsByBase = new Map<string, Site>();

/**
 * The adapter `siteId` names, set up as `override` says for its origin: CDS answers under the override's API base
 * path when it has one. undefined for an id no adapter has.
 */
export function adapterFor(siteId: string, override?: Pick<SiteOverride, 'cdsApiBase'>): Site | undefined {
  const site = siteById(siteId);
  const base = override?.cdsApiBase;
  if (site?.id !== 'cds' || !base || base === DEFAULT_API_BASE) return site;
  let custom = cdsByBase.get(base);
  if (!custom) cdsByBase.set(base, (custom = cdsAt(base)));
  return custom;
}

/** The adapter for `siteId` on `origin`: what the background uses wherever a site id becomes an adapter. */
export async function siteFor(origin: string, siteId: string): Promise<Site | undefined> {
  const override = await overrideFor(origin);
  return adapterFor(siteId, override) ?? recipeSiteFor(origin, siteId, override?.siteId === siteId);
}

/**
 * Recognises a site by what its origin answers, not by its host name (all of these are self-hosted anywhere).
 * A per-origin override (options page) that names an adapter wins: only that adapter is asked, for the user. Else the
 * site remembered for the origin, or one whose known host names match, is asked first; then every other probe runs
 * in parallel, and the first adapter in registry order that claims the origin wins.
 */
export async function recognise(client: PageClient, now = Date.now()): Promise<Recognised | null> {
  const [override, remembered] = await Promise.all([overrideFor(client.origin), known.get(client.origin)]);
  const forced = override?.siteId
    ? (adapterFor(override.siteId, override) ?? (await recipeSiteFor(client.origin, override.siteId, true)))
    : undefined;
  if (forced) {
    const probe = await forced.probe(client);
    if (probe.kind === 'not-this-site') throw notAsOverridden(client.origin, forced, override?.cdsApiBase ?? '');
    return remember(client.origin, { site: forced, probe }, remembered);
  }
  // An origin no adapter knew is asked again only after a while, or once the user has a recipe for it.
  if (remembered?.siteId === null && now - remembered.at < UNKNOWN_FOR_MS && !(await ownRecipeMatches(client.origin))) return null;
  const host = new URL(client.origin).hostname;
  // Recipes come last, and only those whose origin patterns match: a recipe never probes any other origin.
  const candidates = [...sites.map((site) => adapterFor(site.id, override) ?? site), ...(await recipeSitesFor(client.origin))];
  const first =
    candidates.find((site) => site.id === remembered?.siteId) ?? candidates.find((site) => site.knownHosts.some((re) => re.test(host)));
  if (first) {
    const probe = await first.probe(client);
    if (probe.kind !== 'not-this-site') return remember(client.origin, { site: first, probe }, remembered);
  }
  const rest = candidates.filter((site) => site !== first);
  const outcomes = await Promise.allSettled(rest.map((site) => site.probe(client)));
  for (const [index, outcome] of outcomes.entries()) {
    if (outcome.status === 'fulfilled' && outcome.value.kind !== 'not-this-site') {
      return remember(client.origin, { site: rest[index]!, probe: outcome.value }, remembered);
    }
  }
  // No adapter claimed the origin; if a probe could not even ask, that is the better answer than "unsupported".
  const failed = outcomes.find((outcome) => outcome.status === 'rejected');
  if (failed) throw failed.reason;
  await known.put(client.origin, { siteId: null, at: now });
  return null;
}

function notAsOverridden(origin: string, site: Site, base: string) {
  const host = new URL(origin).host;
  return siteError(
    'unexpected-response',
    site.id === 'cds'
      ? t('recognise_notAsOverriddenAt', host, site.name, base || DEFAULT_API_BASE)
      : t('recognise_notAsOverridden', host, site.name),
    t('recognise_notAsOverriddenNext'),
  );
}

async function remember(origin: string, found: Recognised, before: Remembered | undefined): Promise<Recognised> {
  const record: Remembered = { siteId: found.site.id, at: Date.now() };
  if (found.probe.kind === 'signed-in') record.user = found.probe.user;
  // Most openings find what the last one did; the time matters only for unknown origins, so skip the write.
  const unchanged = before?.siteId === record.siteId && JSON.stringify(before.user) === JSON.stringify(record.user);
  if (!unchanged) await known.put(origin, record);
  return found;
}

/** The site and signed-in user last recognised on `origin`, if any: a guess of what the next recognition finds. */
export async function lastSeen(origin: string): Promise<{ site: Site; user: SiteUser } | undefined> {
  const remembered = await known.get(origin);
  if (!remembered?.siteId || !remembered.user) return undefined;
  const site = await siteFor(origin, remembered.siteId);
  return site && { site, user: remembered.user };
}

/** The user last recognised on `origin` as signed in to the site `siteId`, if any. */
export async function rememberedUser(origin: string, siteId: string): Promise<SiteUser | undefined> {
  const remembered = await known.get(origin);
  return remembered?.siteId === siteId ? remembered.user : undefined;
}

/**
 * The user signed in to `site` in the client's tab: the one last recognised there (no second who-am-I round trip), or
 * asked afresh. Throws when the tab no longer shows that site signed in.
 */
export async function signedInUser(client: PageClient, site: Site): Promise<SiteUser> {
  const remembered = await rememberedUser(client.origin, site.id);
  if (remembered) return remembered;
  const found = await recognise(client);
  if (found?.site.id === site.id && found.probe.kind === 'signed-in') return found.probe.user;
  throw siteError('navigated', t('recognise_signedOutNow', site.name), t('tab_reopenOnSite'));
}
