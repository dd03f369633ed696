import type { KeptSecret, KeptToken, Reveal } from '../core/token.ts';
import { mask } from '../core/token.ts';
import { sha256Hex } from '../core/digest.ts';
import { keptMetadata, keptSecret, keptSecrets, listKept, removeKept, storeKept } from './vault.ts';

/**
 * Tokens the user chose to keep, in whichever mode the vault is (memory only, or sealed on disk behind a
 * passphrase): the panel lists them beside the site's own list, verifies them and copies them in other formats.
 * Listing never needs the secret; using one does, and fails with a clear sentence while the vault is locked.
 */

/** What may be known about a token beyond its reveal, recorded with it when given. */
export interface KeptDetails {
  scopes?: string[];
  /** ISO date. */
  expiresAt?: string;
}

/** Keeps a revealed token; in a locked persistent vault this throws "The vault is locked." */
export async function keepReveal(reveal: Reveal, details: KeptDetails = {}): Promise<KeptToken> {
  const token: KeptSecret = {
    id: reveal.id,
    siteId: reveal.siteId,
    siteName: reveal.siteName,
    origin: reveal.origin,
    tokenId: reveal.tokenId,
    name: reveal.name,
    createdAt: reveal.createdAt,
    preview: mask(reveal.secret),
    secret: reveal.secret,
  };
  if (reveal.header) token.header = reveal.header;
  if (details.scopes?.length) token.scopes = [...details.scopes];
  if (details.expiresAt) token.expiresAt = details.expiresAt;
  await storeKept(token);
  return keptMetadata(token);
}

/** The kept token with its secret, or undefined when not kept; throws while the vault is locked. */
export const keptToken = (id: string): Promise<KeptSecret | undefined> => keptSecret(id);
export const forgetKept = (id: string): Promise<void> => removeKept(id);

/** The kept token whose secret has this SHA-256 digest, per digest; nothing matches while the vault is locked. */
export async function keptByDigest(digests: string[]): Promise<(string | null)[]> {
  const all = await keptSecrets();
  const named = new Map(await Promise.all(all.map(async (token) => [await sha256Hex(token.secret), token.name] as const)));
  return digests.map((digest) => named.get(digest) ?? null);
}

/** The kept tokens of one site at one origin, without their secrets: works while the vault is locked. */
export async function keptFor(origin: string, siteId: string): Promise<KeptToken[]> {
  return (await listKept()).filter((token) => token.origin === origin && token.siteId === siteId);
}
