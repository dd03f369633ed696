import { describe, expect, test } from 'vitest';
import { deriveKey, fromBase64, KDF_ITERATIONS, newLock, openLock, seal, toBase64, unseal, type Sealed } from './vault-crypto.ts';

const passphrase = 'correct horse battery staple';
const secret = 'ZGVtbzpjaS1ib3Q6WFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWA==';

/** The same base64 with one bit of byte `index` flipped (negative: from the end). */
function flip(text: string, index: number): string {
  const bytes = fromBase64(text);
  const at = index < 0 ? bytes.length + index : index;
  bytes[at] = (bytes[at] ?? 0) ^ 0x01;
  return toBase64(bytes);
}

describe('vault crypto', () => {
  test('a sealed text opens with the key the same passphrase gives back', async () => {
    const { lock, key } = await newLock(passphrase);
    const sealed = await seal(key, secret, 'record-1');
    expect(sealed.data).not.toContain(secret);
    const again = await openLock(passphrase, lock);
    expect(again).toEqual(key);
    expect(await unseal(again!, sealed, 'record-1')).toBe(secret);
  });

  test('a new key: PBKDF2-SHA256, at least 600,000 iterations, a random 16-byte salt, a 32-byte key', async () => {
    const first = await newLock(passphrase);
    const second = await newLock(passphrase);
    expect(KDF_ITERATIONS).toBeGreaterThanOrEqual(600_000);
    expect(first.lock.kdf).toMatchObject({ name: 'PBKDF2', hash: 'SHA-256', iterations: KDF_ITERATIONS });
    expect(fromBase64(first.lock.kdf.salt)).toHaveLength(16);
    expect(first.key).toHaveLength(32);
    // Same passphrase, new salt: another key.
    expect(second.lock.kdf.salt).not.toBe(first.lock.kdf.salt);
    expect(second.key).not.toEqual(first.key);
  });

  test('a wrong passphrase is told apart by the sealed check value', async () => {
    const { lock } = await newLock(passphrase);
    expect(await openLock('correct horse battery stapler', lock)).toBeNull();
    expect(await openLock('', lock)).toBeNull();
  });

  test('every seal has a fresh 12-byte IV', async () => {
    const { key } = await newLock(passphrase, 1_000);
    const seals = await Promise.all(Array.from({ length: 20 }, () => seal(key, secret, 'record-1')));
    expect(new Set(seals.map((sealed) => sealed.iv)).size).toBe(20);
    expect(new Set(seals.map((sealed) => sealed.data)).size).toBe(20);
    for (const sealed of seals) expect(fromBase64(sealed.iv)).toHaveLength(12);
  });

  test('a changed ciphertext, tag or IV, another context or another key is rejected (AES-GCM)', async () => {
    const { key } = await newLock(passphrase, 1_000);
    const other = await newLock(passphrase, 1_000);
    const sealed = await seal(key, secret, 'record-1');
    const tampered: Sealed[] = [
      { ...sealed, data: flip(sealed.data, 0) }, // ciphertext
      { ...sealed, data: flip(sealed.data, -1) }, // tag
      { ...sealed, data: toBase64(fromBase64(sealed.data).slice(0, -1)) }, // truncated tag
      { ...sealed, iv: flip(sealed.iv, 5) },
      { ...sealed, iv: toBase64(fromBase64(sealed.iv).slice(0, 11)) },
    ];
    for (const bad of tampered) expect(await unseal(key, bad, 'record-1')).toBeNull();
    expect(await unseal(key, sealed, 'record-2')).toBeNull(); // moved to another record
    expect(await unseal(other.key, sealed, 'record-1')).toBeNull();
    expect(await unseal(key, sealed, 'record-1')).toBe(secret);
  });

  test('a key opens only under its own KDF parameters', async () => {
    const { lock, key } = await newLock(passphrase, 1_000);
    expect(lock.kdf.iterations).toBe(1_000);
    expect(await openLock(passphrase, lock)).toEqual(key);
    expect(await openLock(passphrase, { ...lock, kdf: { ...lock.kdf, iterations: 1_001 } })).toBeNull();
    expect(await openLock(passphrase, { ...lock, kdf: { ...lock.kdf, salt: flip(lock.kdf.salt, 0) } })).toBeNull();
    expect(await deriveKey(passphrase, lock.kdf)).toEqual(key);
  });

  test('implausible KDF parameters are refused rather than run', async () => {
    const { lock } = await newLock(passphrase, 1_000);
    for (const kdf of [
      { ...lock.kdf, iterations: 0 },
      { ...lock.kdf, iterations: 1.5 },
      { ...lock.kdf, iterations: 1e12 },
      { ...lock.kdf, hash: 'SHA-1' as 'SHA-256' },
    ]) {
      await expect(deriveKey(passphrase, kdf)).rejects.toThrow();
    }
  });

  test('a passphrase typed in another Unicode form opens the same vault', async () => {
    const { lock, key } = await newLock('caf\u00e9 au lait', 1_000);
    expect(await openLock('cafe\u0301 au lait', lock)).toEqual(key);
  });

  test('base64 round trip over every byte value', () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(fromBase64(toBase64(bytes))).toEqual(bytes);
  });
});
