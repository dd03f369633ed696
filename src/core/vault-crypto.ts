/**
 * The vault's cryptography, on WebCrypto alone: a key from the passphrase with PBKDF2-SHA256, and AES-GCM-256 with a
 * fresh 12-byte IV per seal. Pure: nothing here touches storage; keys travel as raw bytes because the unlocked key
 * has to be kept in `storage.session`, which cannot hold a CryptoKey.
 */

/** The iterations a new key gets; raised over time. A vault keeps its own, so an old one still opens with them. */
export const KDF_ITERATIONS = 600_000;
/** Above this a stored header is not believed (it would hang the unlock). */
const MAX_ITERATIONS = 100_000_000;

/** How the key was derived from the passphrase; stored next to the ciphertext, never secret. */
export interface KdfParams {
  name: 'PBKDF2';
  hash: 'SHA-256';
  iterations: number;
  /** 16 random bytes, base64. */
  salt: string;
}

/** One AES-GCM-256 ciphertext with its 16-byte tag appended, and the IV it was sealed with; both base64. */
export interface Sealed {
  iv: string;
  data: string;
}

/** What opens a vault: the KDF parameters, and a known text sealed with the key, which tells a wrong passphrase. */
export interface VaultLock {
  kdf: KdfParams;
  check: Sealed;
}

const CHECK_TEXT = 'tokenmint vault check v1';
const CHECK_CONTEXT = 'tokenmint/vault-check';
const encoder = new TextEncoder();

/** A new key for this passphrase: a fresh salt, the given iterations, and the check value sealed with it. */
export async function newLock(passphrase: string, iterations = KDF_ITERATIONS): Promise<{ lock: VaultLock; key: Uint8Array }> {
  const kdf: KdfParams = { name: 'PBKDF2', hash: 'SHA-256', iterations, salt: toBase64(randomBytes(16)) };
  const key = await deriveKey(passphrase, kdf);
  return { lock: { kdf, check: await seal(key, CHECK_TEXT, CHECK_CONTEXT) }, key };
}

/** The key this passphrase gives under the lock's own parameters, or null when it is not the vault's passphrase. */
export async function openLock(passphrase: string, lock: VaultLock): Promise<Uint8Array | null> {
  const key = await deriveKey(passphrase, lock.kdf);
  return (await unseal(key, lock.check, CHECK_CONTEXT)) === CHECK_TEXT ? key : null;
}

/**
 * The 32 raw bytes of an AES-256 key, from the passphrase under these parameters. The passphrase is taken in Unicode
 * normal form C, so the same words typed through another keyboard or system still open the vault.
 */
export async function deriveKey(passphrase: string, kdf: KdfParams): Promise<Uint8Array> {
  if (kdf.name !== 'PBKDF2' || kdf.hash !== 'SHA-256') throw new Error('Unknown key derivation');
  if (!Number.isSafeInteger(kdf.iterations) || kdf.iterations < 1 || kdf.iterations > MAX_ITERATIONS) {
    throw new Error('Implausible key derivation parameters');
  }
  const base = await crypto.subtle.importKey('raw', encoder.encode(passphrase.normalize('NFC')), 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits(
    { name: 'PBKDF2', hash: 'SHA-256', salt: fromBase64(kdf.salt), iterations: kdf.iterations },
    base,
    256,
  );
  return new Uint8Array(bits);
}

/**
 * Encrypts `plaintext` under a fresh random IV. `context` is authenticated but not encrypted (AES-GCM additional
 * data): a ciphertext only opens under the same context, so a record's ciphertext cannot be moved to another record.
 */
export async function seal(key: Uint8Array, plaintext: string, context: string): Promise<Sealed> {
  const iv = randomBytes(12);
  const data = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: encoder.encode(context), tagLength: 128 },
    await aesKey(key),
    encoder.encode(plaintext),
  );
  return { iv: toBase64(iv), data: toBase64(new Uint8Array(data)) };
}

/** The plaintext, or null when the key, the IV, the ciphertext, its tag or the context do not match. */
export async function unseal(key: Uint8Array, sealed: Sealed, context: string): Promise<string | null> {
  try {
    const iv = fromBase64(sealed.iv);
    if (iv.length !== 12) return null;
    const plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv, additionalData: encoder.encode(context), tagLength: 128 },
      await aesKey(key),
      fromBase64(sealed.data),
    );
    return new TextDecoder('utf-8', { fatal: true }).decode(plain);
  } catch {
    return null;
  }
}

function aesKey(raw: Uint8Array): Promise<CryptoKey> {
  if (raw.length !== 32) throw new Error('An AES-256 key has 32 bytes');
  return crypto.subtle.importKey('raw', new Uint8Array(raw), { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
}

function randomBytes(count: number): Uint8Array<ArrayBuffer> {
  return crypto.getRandomValues(new Uint8Array(count));
}

export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Throws on text that is not base64. */
export function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
