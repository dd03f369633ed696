/** What the extension knows about tokens, and the only ways a secret is turned into text for display. */

/** A freshly minted credential waiting for the user to copy or dismiss it; lives only in `storage.session`. */
export interface Reveal {
  id: string;
  siteId: string;
  siteName: string;
  origin: string;
  /** The token's name or id on the site. */
  name: string;
  /** The site's id of the token, for revoke. */
  tokenId: string;
  /** Exactly what a client sends (e.g. a GoodData bearer token). */
  secret: string;
  /** False where the site lists the full token again later (Insight.io). */
  shownOnce: boolean;
  /** The scopes asked for, where the site has them. */
  scopes?: string[];
  /** When it stops working, where the site sets an expiry (ISO 8601). */
  expiresAt?: string;
  /** The whole request header line carrying it, where the site takes it in a header (`Authorization: Bearer …`). */
  header?: string;
  /** Who the token acts as, for display. */
  owner: string;
  createdAt: number;
}

/**
 * A token the user chose to keep, as it is listed: metadata and a masked preview, never the secret, so that listing
 * works while a persistent vault is locked.
 */
export interface KeptToken {
  id: string;
  siteId: string;
  siteName: string;
  origin: string;
  tokenId: string;
  name: string;
  createdAt: number;
  /** `mask(secret)`. */
  preview: string;
  /** Where known when it was kept. */
  scopes?: string[];
  /** ISO date, where known when it was kept. */
  expiresAt?: string;
}

/** A kept token with its secret, only for the moment it is used (copy, verify, copy as). */
export interface KeptSecret extends KeptToken {
  secret: string;
  /** The whole request header line carrying it, where the site takes it in a header. */
  header?: string;
}

/** A token as the site lists it; never holds a secret. */
export interface SiteToken {
  id: string;
  name: string;
  createdAt?: string;
  expiresAt?: string;
  lastUsedAt?: string;
  scopes?: string[];
}

/** First 4 and last 4 characters; short secrets are hidden entirely, since 8 visible characters would be most of them. */
export function mask(secret: string): string {
  return secret.length < 16 ? '••••••••' : `${secret.slice(0, 4)}…${secret.slice(-4)}`;
}

/** A readable, unique-enough default name: the date plus 4 random characters from a 36-character alphabet. */
export function suggestName(now: Date, random: () => number = Math.random): string {
  const day = now.toISOString().slice(0, 10).replaceAll('-', '');
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let tail = '';
  for (let i = 0; i < 4; i++) tail += alphabet[Math.floor(random() * alphabet.length)];
  return `tokenmint-${day}-${tail}`;
}
