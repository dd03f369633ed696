import { siteError } from '../core/errors.ts';
import type { PageClient } from '../core/page-client.ts';
import { siteById, sites, type Site } from '../sites/index.ts';
import type { Probe, SiteUser } from '../sites/types.ts';
import { sessionRecords } from './session-store.ts';

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

/**
 * Recognises a site by what its origin answers, not by its host name (all of these are self-hosted anywhere).
 * The site remembered for the origin, or one whose known host names match, is asked first; then every other probe
 * runs in parallel, and the first adapter in registry order that claims the origin wins.
 */
export async function recognise(client: PageClient, now = Date.now()): Promise<Recognised | null> {
  const remembered = await known.get(client.origin);
  if (remembered?.siteId === null && now - remembered.at < UNKNOWN_FOR_MS) return null;
  const host = new URL(client.origin).hostname;
  const first = siteById(remembered?.siteId ?? '') ?? sites.find((site) => site.knownHosts.some((re) => re.test(host)));
  if (first) {
    const probe = await first.probe(client);
    if (probe.kind !== 'not-this-site') return remember(client.origin, { site: first, probe });
  }
  const rest = sites.filter((site) => site !== first);
  const outcomes = await Promise.allSettled(rest.map((site) => site.probe(client)));
  for (const [index, outcome] of outcomes.entries()) {
    if (outcome.status === 'fulfilled' && outcome.value.kind !== 'not-this-site') {
      return remember(client.origin, { site: rest[index]!, probe: outcome.value });
    }
  }
  // No adapter claimed the origin; if a probe could not even ask, that is the better answer than "unsupported".
  const failed = outcomes.find((outcome) => outcome.status === 'rejected');
  if (failed) throw failed.reason;
  await known.put(client.origin, { siteId: null, at: now });
  return null;
}

async function remember(origin: string, found: Recognised): Promise<Recognised> {
  const record: Remembered = { siteId: found.site.id, at: Date.now() };
  if (found.probe.kind === 'signed-in') record.user = found.probe.user;
  await known.put(origin, record);
  return found;
}

/**
 * The user signed in to `site` in the client's tab: the one last recognised there (no second who-am-I round trip), or
 * asked afresh. Throws when the tab no longer shows that site signed in.
 */
export async function signedInUser(client: PageClient, site: Site): Promise<SiteUser> {
  const remembered = await known.get(client.origin);
  if (remembered?.siteId === site.id && remembered.user) return remembered.user;
  const found = await recognise(client);
  if (found?.site === site && found.probe.kind === 'signed-in') return found.probe.user;
  throw siteError('navigated', `This tab no longer shows a signed-in ${site.name}.`, 'Reopen Tokenmint on the site.');
}
