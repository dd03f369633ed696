import type { UserError } from '../core/errors.ts';
import type { JobInfo } from '../core/messages.ts';
import { DEFAULT_TIMEOUT_MS, type PageClient } from '../core/page-client.ts';
import type { Site, SiteUser } from '../sites/types.ts';
import { dropJob, interruptedJobs } from './mint-jobs.ts';
import { t } from '../core/i18n.ts';

/**
 * A create cut short by a worker restart keeps running in the tab: it may still land until the in-tab request's time
 * limit is past. Until then "not made" is only "not made yet".
 */
const MAY_STILL_LAND_MS = DEFAULT_TIMEOUT_MS + 5_000;

interface Judgement {
  notice: UserError;
  /** Nothing more will be learnt: the record can go. */
  settled: boolean;
}

/**
 * What became of a mint the worker was stopped in the middle of, said once it is known: where tokens have names, the
 * site's list tells whether it was made (its secret then never arrived, and it should be revoked) or not.
 */
export async function interruptedMintNotice(site: Site, client: PageClient, user: SiteUser, now = Date.now()): Promise<UserError | undefined> {
  const [job] = await interruptedJobs(client.origin);
  if (!job) return undefined;
  const { notice, settled } = await judge(site, client, user, job, now - job.startedAt >= MAY_STILL_LAND_MS);
  if (settled) await dropJob(job.id);
  return notice;
}

async function judge(site: Site, client: PageClient, user: SiteUser, job: JobInfo, past: boolean): Promise<Judgement> {
  const token = job.name ? t('mint_tokenNamed', job.name) : t('mint_aToken');
  const revoke = t('mint_revokeOrphan', token, site.name);
  let made: boolean | undefined;
  if (job.name) {
    try {
      made = (await site.list(client, user)).some((listed) => listed.name === job.name);
    } catch {
      // The list is not to be had now: say what is known.
    }
  }
  if (made) {
    const sentence = t('mint_restartedOrphaned', token, site.name);
    return { notice: { code: 'orphaned', sentence, next: revoke }, settled: true };
  }
  if (made === false && past) {
    const sentence = t('mint_restartedNotMade', token, site.name);
    return { notice: { code: 'interrupted', sentence, next: t('mint_generateAgain') }, settled: true };
  }
  if (made === false) {
    const sentence = t('mint_restartedNotYet', token, site.name);
    return { notice: { code: 'interrupted', sentence, next: t('mint_openAgainSoon') }, settled: false };
  }
  // No name to look for, or no list to look in: what is known is that it may exist.
  const sentence = t('mint_restartedMaybe', token, site.name);
  return { notice: { code: 'interrupted', sentence, next: revoke }, settled: past || !job.name };
}
