import { siteError, signedOut, toUserError } from '../core/errors.ts';
import { copyText, formatsFor, type CopyFormat, type CopySource } from '../core/copy-formats.ts';
import type { Answer, PanelSite, PanelState, Payload } from '../core/messages.ts';
import type { KeptSecret, Reveal } from '../core/token.ts';
import { mergeTokens } from '../core/token-rows.ts';
import { sites, type Site } from '../sites/index.ts';
import { copyToClipboard } from './clipboard.ts';
import { forgetKept, keptFor, keptToken } from './kept-tokens.ts';
import { publishReveal } from './mint-jobs.ts';
import { recognise, siteFor } from './recognise.ts';
import { scriptingClient } from './scripting-client.ts';
import { signedInSiteTab, siteTab, tabOrigin } from './site-tab.ts';
import { t } from '../core/i18n.ts';

/** The devtools panel's requests: the inspected site's tokens merged with the kept ones, and what can be done to each. */

export async function panelState(tabId: number, claimedOrigin: string): Promise<PanelState> {
  let origin: string | null;
  try {
    origin = await tabOrigin(tabId);
  } catch (error) {
    const user = toUserError(error);
    return user.code === 'no-access' ? { status: 'no-access', origin: claimedOrigin } : { status: 'failed', origin: '', error: user };
  }
  if (!origin) return { status: 'no-page' };
  try {
    const client = scriptingClient(tabId, origin);
    const found = await recognise(client);
    if (!found) return { status: 'unsupported', origin, siteNames: sites.map((site) => site.name) };
    const { site, probe } = found;
    const kept = await keptFor(origin, site.id);
    const base = { status: 'listed', origin, site: panelSite(site, origin) } as const;
    if (probe.kind === 'signed-out') {
      return { ...base, rows: mergeTokens(null, kept), error: probe.reason ?? signedOut(site.name, site.loginUrl(origin)).user };
    }
    try {
      return { ...base, user: probe.user, rows: mergeTokens(await site.list(client, probe.user), kept) };
    } catch (error) {
      return { ...base, user: probe.user, rows: mergeTokens(null, kept), error: toUserError(error) };
    }
  } catch (error) {
    return { status: 'failed', origin, error: toUserError(error) };
  }
}

function panelSite(site: Site, origin: string): PanelSite {
  return {
    id: site.id,
    name: site.name,
    canRegenerate: Boolean(site.regenerate),
    copyFormats: formatsFor(copySource(site, origin, '')),
  };
}

function copySource(site: Site, origin: string, secret: string): CopySource {
  const source: CopySource = { secret, origin, check: site.checkRequest(secret), envName: site.envName };
  const header = site.authHeader?.(secret);
  if (header) source.header = header;
  return source;
}

export async function revokeRow({ tabId, origin, siteId, tokenId, keptId }: Payload<'revoke'>): Promise<null> {
  if (tokenId) {
    const { site, client, user } = await signedInSiteTab(tabId, origin, siteId);
    await site.revoke(client, user, tokenId);
  }
  // Forgotten only once the site confirmed: a failed revoke leaves the secret where the user can still act on it.
  if (keptId) await forgetKept(keptId);
  return null;
}

export async function verifyRow(row: Payload<'verify'>): Promise<Answer<'verify'>> {
  const { site, client } = await siteTab(row.tabId, row.origin, row.siteId);
  const kept = await keptOf(row.keptId, site, row.origin);
  const user = await site.verify(client, kept.secret);
  if (user !== null) return { validity: 'valid', user };
  const expiry = Date.parse(row.expiresAt);
  return { validity: Number.isFinite(expiry) && expiry <= Date.now() ? 'expired' : 'invalid' };
}

/** Copies a kept token in `format` through the self-clearing clipboard. */
export async function copyAs(keptId: string, format: string): Promise<{ clearsAt: number | null }> {
  const kept = await keptToken(keptId);
  const site = kept && (await siteFor(kept.origin, kept.siteId));
  if (!kept || !site) throw gone();
  const source = copySource(site, kept.origin, kept.secret);
  if (!(formatsFor(source) as string[]).includes(format)) {
    throw siteError('invalid', t('manage_copyFormat', site.name), t('manage_copyFormatNext'));
  }
  return copyToClipboard(copyText(format as CopyFormat, source));
}

export async function regenerateRow({ tabId, origin, siteId, tokenId }: Payload<'regenerate'>): Promise<Reveal> {
  const { site, client, user } = await signedInSiteTab(tabId, origin, siteId);
  if (!site.regenerate) throw siteError('invalid', t('manage_noRegenerate', site.name), t('manage_noRegenerateNext'));
  return publishReveal(crypto.randomUUID(), site, origin, user, await site.regenerate(client, user, tokenId));
}

/** A kept token with its secret, only if it belongs to this site at this origin: a secret goes only where it came from. */
async function keptOf(keptId: string, site: Site, origin: string): Promise<KeptSecret> {
  const kept = await keptToken(keptId);
  if (!kept || kept.siteId !== site.id || kept.origin !== origin) throw gone();
  return kept;
}

function gone() {
  return siteError('not-found', t('manage_notKept'), t('manage_notKeptNext'));
}
