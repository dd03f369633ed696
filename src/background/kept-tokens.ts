import type { KeptToken, Reveal } from '../core/token.ts';
import { sha256Hex } from '../core/digest.ts';
import { sessionRecords } from './session-store.ts';

/**
 * Tokens the user chose to keep, with their secrets: the vault's session-only mode (memory only, gone when the
 * browser closes). The panel lists them beside the site's own list, verifies them and copies them in other formats.
 */
const kept = sessionRecords<KeptToken>('kept');

export async function keepReveal(reveal: Reveal): Promise<KeptToken> {
  const token: KeptToken = {
    id: reveal.id,
    siteId: reveal.siteId,
    siteName: reveal.siteName,
    origin: reveal.origin,
    tokenId: reveal.tokenId,
    name: reveal.name,
    secret: reveal.secret,
    createdAt: reveal.createdAt,
  };
  if (reveal.header) token.header = reveal.header;
  await kept.put(token.id, token);
  return token;
}

export const keptToken = (id: string) => kept.get(id);
export const forgetKept = (id: string) => kept.remove(id);

/** The kept token whose secret has this SHA-256 digest, per digest. */
export async function keptByDigest(digests: string[]): Promise<(string | null)[]> {
  const all = await kept.all();
  const named = new Map(await Promise.all(all.map(async (token) => [await sha256Hex(token.secret), token.name] as const)));
  return digests.map((digest) => named.get(digest) ?? null);
}

export async function keptFor(origin: string, siteId: string): Promise<KeptToken[]> {
  return (await kept.all()).filter((token) => token.origin === origin && token.siteId === siteId);
}
