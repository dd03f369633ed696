import { SiteError, siteError } from '../core/errors.ts';
import type { JobInfo } from '../core/messages.ts';
import { nameProblem } from '../core/name-rule.ts';
import type { Reveal } from '../core/token.ts';
import type { Minted, MintInput, Site, SiteUser } from '../sites/types.ts';
import { saveReveal, getReveal } from './reveals.ts';
import { signedInSiteTab } from './site-tab.ts';
import { sessionRecords } from './session-store.ts';
import { t } from '../core/i18n.ts';

interface Job extends JobInfo {
  tabId: number;
  origin: string;
  siteId: string;
  startedAt: number;
}

/** A record per mint in flight: if the worker dies mid-mint, the record outlives the promise and says so. */
const records = sessionRecords<Job>('job');
const running = new Map<string, { job: Job; done: Promise<Reveal> }>();

export interface MintJobOrder {
  tabId: number;
  origin: string;
  siteId: string;
  input: MintInput;
}

/**
 * Mints one token. The same name on the same origin while a mint is in flight joins that mint instead of making a
 * second token (a double click, or a popup reopened and clicked again).
 */
export function startMint(order: MintJobOrder): Promise<Reveal> {
  for (const { job, done } of running.values()) {
    if (job.origin === order.origin && job.siteId === order.siteId && job.name === order.input.name) return done;
  }
  const job: Job = {
    id: crypto.randomUUID(),
    name: order.input.name,
    tabId: order.tabId,
    origin: order.origin,
    siteId: order.siteId,
    startedAt: Date.now(),
  };
  const done = mint(job, order.input);
  running.set(job.id, { job, done });
  // The answer does not wait for the record to go. The job counts as running until it has gone, so that nobody takes
  // the record of a finished mint for one a restart cut short (awaitJob then answers with the finished mint).
  const forget = () => records.remove(job.id).finally(() => running.delete(job.id));
  void done.then(forget, forget).catch(() => undefined);
  return done;
}

async function mint(job: Job, input: MintInput): Promise<Reveal> {
  // The record is written before the create can go out, alongside the checks (each a round trip to the browser).
  const [{ site, client, user }] = await Promise.all([signedInSiteTab(job.tabId, job.origin, job.siteId), records.put(job.id, job)]);
  if (site.nameRule) {
    const problem = nameProblem(site.nameRule, job.name);
    if (problem) throw siteError('invalid', problem, t('mint_changeName'));
  }
  let minted: Minted;
  try {
    minted = await site.mint(client, user, input);
  } catch (error) {
    // The create may have gone out before the tab left; with the tab gone, its list cannot be asked.
    if (error instanceof SiteError && error.user.code === 'navigated') throw leftMidMint(site, job);
    throw error;
  }
  const reveal = { scopes: input.scopes, expiresAt: input.expiresInDays === null ? undefined : daysFromNow(input.expiresInDays) };
  return publishReveal(job.id, site, job.origin, user, minted, reveal);
}

function leftMidMint(site: Site, job: Job): SiteError {
  const host = new URL(job.origin).host;
  const token = job.name ? t('mint_tokenNamed', job.name) : t('mint_theToken');
  return siteError(
    'navigated',
    t('mint_leftMidMint', host, token, site.name),
    t('mint_leftMidMintNext', host, token),
  );
}

function daysFromNow(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString();
}

/** Turns a freshly made credential into a reveal, stored before anyone is told (a closed popup finds it there). */
export async function publishReveal(
  id: string,
  site: Site,
  origin: string,
  user: SiteUser,
  minted: Minted,
  known: { scopes?: string[] | undefined; expiresAt?: string | undefined } = {},
): Promise<Reveal> {
  const reveal: Reveal = {
    id,
    siteId: site.id,
    siteName: site.name,
    origin,
    name: minted.name,
    tokenId: minted.id,
    secret: minted.secret,
    shownOnce: !site.listsSecrets,
    owner: user.name,
    createdAt: Date.now(),
  };
  const header = site.authHeader?.(minted.secret);
  if (header) reveal.header = `${header.name}: ${header.value}`;
  if (known.scopes?.length) reveal.scopes = known.scopes;
  if (known.expiresAt) reveal.expiresAt = known.expiresAt;
  await saveReveal(reveal);
  return reveal;
}

/** The mint in flight for this tab, if any. */
export function runningJob(tabId: number): JobInfo | undefined {
  for (const { job } of running.values()) if (job.tabId === tabId) return { id: job.id, name: job.name };
  return undefined;
}

/** Waits for a mint by id; one that finished while nobody listened is found among the reveals. */
export async function awaitJob(jobId: string): Promise<Reveal> {
  const inFlight = running.get(jobId);
  if (inFlight) return inFlight.done;
  const reveal = await getReveal(jobId);
  if (reveal) return reveal;
  throw siteError('interrupted', t('mint_jobGone'), t('mint_jobGoneNext'));
}

/** Records left by a worker that was stopped mid-mint on `origin`: what became of them is for the site to tell. */
export async function interruptedJobs(origin: string): Promise<(JobInfo & { startedAt: number })[]> {
  const stale = (await records.all()).filter((job) => job.origin === origin && !running.has(job.id));
  return stale.map(({ id, name, startedAt }) => ({ id, name, startedAt }));
}

export const dropJob = (id: string) => records.remove(id);
