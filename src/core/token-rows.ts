import { mask, type KeptToken, type SiteToken } from './token.ts';

/** One row of the panel: a token as the site lists it, as the extension keeps it, or both. Never a full secret. */
export interface TokenRow {
  /** Unique in the table. */
  key: string;
  name: string;
  where: 'site' | 'vault' | 'both';
  /** The site's id, where the site lists it (for revoke). */
  tokenId?: string;
  /** The extension's id, where it is kept (for verify and copy). */
  keptId?: string;
  createdAt?: string;
  expiresAt?: string;
  lastUsedAt?: string;
  scopes?: string[];
  /** First and last four characters of a kept secret. */
  preview?: string;
}

/**
 * The site's list and the kept tokens as one table. A kept token is matched to the site's by the site's id; one the
 * site no longer lists (revoked elsewhere, or a list that could not be read: `site` null) stays, marked vault-only.
 */
export function mergeTokens(site: SiteToken[] | null, kept: KeptToken[]): TokenRow[] {
  const keptBySiteId = new Map(kept.map((token) => [token.tokenId, token]));
  const rows: TokenRow[] = (site ?? []).map((token) => {
    const match = keptBySiteId.get(token.id);
    keptBySiteId.delete(token.id);
    const row: TokenRow = { ...token, key: `site:${token.id}`, tokenId: token.id, where: match ? 'both' : 'site' };
    if (match) Object.assign(row, { keptId: match.id, preview: mask(match.secret) });
    return row;
  });
  for (const token of keptBySiteId.values()) {
    rows.push({
      key: `kept:${token.id}`,
      name: token.name,
      where: 'vault',
      keptId: token.id,
      tokenId: token.tokenId,
      createdAt: new Date(token.createdAt).toISOString(),
      preview: mask(token.secret),
    });
  }
  return rows;
}
