import type { KeptToken, SiteToken } from './token.ts';

/** One row of the panel: a token as the site lists it, as the extension keeps it, or both. Never a full secret. */
export interface TokenRow {
  /** Unique in the table. */
  key: string;
  name: string;
  where: 'site' | 'vault' | 'both';
  /** The site's id (for revoke): as the site lists it, or as it was minted for a token only kept. */
  tokenId?: string;
  /** The extension's id, where it is kept (for verify and copy). */
  keptId?: string;
  createdAt?: string;
  expiresAt?: string;
  lastUsedAt?: string;
  scopes?: string[];
  /** First and last four characters of a kept secret (`mask()`), as stored with it. */
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
    if (match) {
      Object.assign(row, { keptId: match.id, preview: match.preview });
      // What the site says wins; what was known when the token was kept fills the gaps.
      if (row.scopes === undefined && match.scopes) row.scopes = match.scopes;
      if (row.expiresAt === undefined && match.expiresAt) row.expiresAt = match.expiresAt;
    }
    return row;
  });
  for (const token of keptBySiteId.values()) {
    const row: TokenRow = {
      key: `kept:${token.id}`,
      name: token.name,
      where: 'vault',
      keptId: token.id,
      tokenId: token.tokenId,
      createdAt: new Date(token.createdAt).toISOString(),
      preview: token.preview,
    };
    if (token.scopes) row.scopes = token.scopes;
    if (token.expiresAt) row.expiresAt = token.expiresAt;
    rows.push(row);
  }
  return rows;
}
