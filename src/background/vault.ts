import browser from 'webextension-polyfill';
import { siteError } from '../core/errors.ts';
import type { VaultStatus } from '../core/settings.ts';
import { mask, type KeptSecret, type KeptToken } from '../core/token.ts';
import { fromBase64, KDF_ITERATIONS, newLock, openLock, seal, toBase64, unseal, type Sealed, type VaultLock } from '../core/vault-crypto.ts';
import { sessionRecords } from './session-store.ts';
import { getSettings } from './settings-store.ts';
import { t } from '../core/i18n.ts';

/**
 * Where kept tokens live, in one of two modes.
 *
 * - Session (the default): each token with its secret in `storage.session` (`kept:<id>`), in memory only, gone when
 *   the browser closes.
 * - Persistent: in `storage.local`, a header (`vault`: KDF parameters and a sealed check value) and one record per
 *   token (`vault:<id>`): metadata and a masked preview in plain text, the secret and its header line sealed with
 *   AES-GCM-256 under the record's own IV and bound to the record's id, origin and site. The key, derived from the
 *   passphrase, is kept while unlocked in `storage.session` only (`vault-key`, raw bytes: a CryptoKey cannot be
 *   stored), with the time of last use (`vault-used`); the `vault-auto-lock` alarm removes it after the idle time the
 *   settings choose. A locked vault still lists its tokens; using one needs the key.
 *
 * Every operation runs one at a time, so a passphrase change never races a token being kept or read.
 */

/** `storage.local`: the persistent vault's header; its presence is the persistent mode. */
const HEADER = 'vault';
/** `storage.local`: one record per kept token, `vault:<id>`. */
const RECORD = 'vault:';
/** `storage.session`: the unlocked key. */
const KEY = 'vault-key';
/** `storage.session`: epoch ms of the vault's last use, for the auto-lock. */
const USED = 'vault-used';
export const AUTO_LOCK_ALARM = 'vault-auto-lock';
/** The shortest passphrase a vault is set up with (UTF-16 length, as the options page counts it). */
export const MIN_PASSPHRASE = 8;

interface VaultHeader extends VaultLock {
  version: 1;
  createdAt: number;
}

/** A kept token in `storage.local`: what lists it, in plain text, and `sealed` JSON `{ secret, header? }`. */
interface VaultRecord extends KeptToken {
  sealed: Sealed;
}

interface UnlockedKey {
  /** 32 raw bytes, base64. */
  key: string;
  /** The salt of the vault it opens: a key left over from an earlier vault or passphrase is never used. */
  salt: string;
}

const sessionKept = sessionRecords<KeptSecret>('kept');

export const vaultLocked = () => siteError('locked', t('vault_locked'), t('vault_lockedNext'));
const wrongPassphrase = () => siteError('invalid', t('vault_wrongPassphrase'), t('vault_wrongPassphraseNext'));
const noVault = () => siteError('not-found', t('vault_none'), t('vault_noneNext'));
const damaged = () => siteError('internal', t('vault_damaged'), t('vault_damagedNext'));

// Registered at start-up, so that the alarm waking a stopped worker finds its listener.
browser.alarms.onAlarm.addListener((alarm) =>
  alarm.name === AUTO_LOCK_ALARM ? exclusive(enforceIdle).catch(() => undefined) : undefined,
);
browser.storage.onChanged.addListener((changes, areaName) => {
  // A new idle time applies to the vault unlocked now.
  if (areaName === 'local' && 'settings' in changes) exclusive(enforceIdle).catch(() => undefined);
});

let queue: Promise<unknown> = Promise.resolve();
function exclusive<T>(work: () => Promise<T>): Promise<T> {
  const run = queue.then(work, work);
  queue = run.catch(() => undefined);
  return run;
}

// ---- Kept tokens, in either mode (kept-tokens.ts is the way in) ----

/** Keeps a token: in memory in session mode, sealed on disk in persistent mode, which must then be unlocked. */
export function storeKept(token: KeptSecret): Promise<void> {
  return exclusive(async () => {
    const vault = await readHeader();
    if (!vault) return sessionKept.put(token.id, withSecret(token));
    const key = await unlockedKey(vault, true);
    if (!key) throw vaultLocked();
    await browser.storage.local.set({ [RECORD + token.id]: await sealRecord(key, token) });
  });
}

/** Every kept token's metadata and preview; never needs the key. */
export function listKept(): Promise<KeptToken[]> {
  return exclusive(async () => ((await readHeader()) ? await readRecords() : await sessionKept.all()).map(keptMetadata));
}

/** The token with its secret; undefined when not kept; throws while the vault is locked. A use of the vault. */
export function keptSecret(id: string): Promise<KeptSecret | undefined> {
  return exclusive(async () => {
    const vault = await readHeader();
    if (!vault) {
      const token = await sessionKept.get(id);
      return token && withSecret(token);
    }
    const record = (await browser.storage.local.get(RECORD + id))[RECORD + id] as VaultRecord | undefined;
    if (!record) return undefined;
    const key = await unlockedKey(vault, true);
    if (!key) throw vaultLocked();
    return openRecord(key, record);
  });
}

/**
 * Every kept token with its secret, for matching what the page sends; none while locked, and not counted as a use
 * (an open devtools panel must not keep the vault unlocked). Damaged records are left out.
 */
export function keptSecrets(): Promise<KeptSecret[]> {
  return exclusive(async () => {
    const vault = await readHeader();
    if (!vault) return (await sessionKept.all()).map(withSecret);
    const key = await unlockedKey(vault, false);
    if (!key) return [];
    const opened = await Promise.all((await readRecords()).map((record) => openRecord(key, record).catch(() => null)));
    return opened.filter((token) => token !== null);
  });
}

/** Forgets a kept token; needs no key. */
export function removeKept(id: string): Promise<void> {
  return exclusive(async () => {
    await sessionKept.remove(id);
    await browser.storage.local.remove(RECORD + id);
  });
}

/** A kept token without its secret: exactly the fields that may be shown and stored in plain text. */
export function keptMetadata(token: KeptToken): KeptToken {
  const meta: KeptToken = {
    id: token.id,
    siteId: token.siteId,
    siteName: token.siteName,
    origin: token.origin,
    tokenId: token.tokenId,
    name: token.name,
    createdAt: token.createdAt,
    preview: token.preview,
  };
  if (token.scopes) meta.scopes = [...token.scopes];
  if (token.expiresAt) meta.expiresAt = token.expiresAt;
  return meta;
}

function withSecret(token: KeptSecret): KeptSecret {
  const full: KeptSecret = { ...keptMetadata(token), preview: mask(token.secret), secret: token.secret };
  if (token.header) full.header = token.header;
  return full;
}

// ---- The vault ----

export function vaultStatus(): Promise<VaultStatus> {
  return exclusive(status);
}

/** Turns on the persistent vault, moves the tokens kept so far into it, and leaves it unlocked. */
export function setUpVault(passphrase: string): Promise<VaultStatus> {
  return exclusive(async () => {
    checkNewPassphrase(passphrase);
    if (await readHeader()) {
      throw siteError('conflict', t('vault_alreadyLocked'), t('vault_alreadyLockedNext'));
    }
    const { lock, key } = await newLock(passphrase);
    const moving = await sessionKept.all();
    const items: Record<string, unknown> = { [HEADER]: { version: 1, ...lock, createdAt: Date.now() } satisfies VaultHeader };
    for (const token of moving) items[RECORD + token.id] = await sealRecord(key, token);
    // Header and records in one write: the vault never exists without the tokens moved into it.
    await browser.storage.local.set(items);
    await keepKey(key, lock.kdf.salt);
    for (const token of moving) await sessionKept.remove(token.id);
    return status();
  });
}

export function unlockVault(passphrase: string): Promise<VaultStatus> {
  return exclusive(async () => {
    const vault = await readHeader();
    if (!vault) throw noVault();
    const key = await openLock(passphrase, vault);
    if (!key) throw wrongPassphrase();
    await keepKey(key, vault.kdf.salt);
    return status();
  });
}

export function lockVault(): Promise<VaultStatus> {
  return exclusive(async () => {
    await forgetKey();
    return status();
  });
}

/**
 * Re-encrypts every kept token under a key from the new passphrase (new salt, fresh IVs, the iterations raised to
 * today's default if the vault had fewer), all in one write so that a crash leaves the old vault or the new, never a
 * mix. Leaves the vault unlocked.
 */
export function changePassphrase(current: string, next: string): Promise<VaultStatus> {
  return exclusive(async () => {
    const vault = await readHeader();
    if (!vault) throw noVault();
    const oldKey = await openLock(current, vault);
    if (!oldKey) throw wrongPassphrase();
    checkNewPassphrase(next);
    const { lock, key } = await newLock(next, Math.max(KDF_ITERATIONS, vault.kdf.iterations));
    const items: Record<string, unknown> = { [HEADER]: { ...vault, ...lock } satisfies VaultHeader };
    for (const record of await readRecords()) items[RECORD + record.id] = await sealRecord(key, await openRecord(oldKey, record));
    await browser.storage.local.set(items);
    await keepKey(key, lock.kdf.salt);
    return status();
  });
}

/**
 * The kept tokens as JSON: metadata and previews; the secrets too only when asked (the user confirmed) and the vault
 * is unlocked, which counts as a use.
 */
export function exportVault(withSecrets: boolean): Promise<string> {
  return exclusive(async () => {
    const vault = await readHeader();
    let tokens: KeptToken[];
    if (!vault) {
      const kept = await sessionKept.all();
      tokens = withSecrets ? kept.map(withSecret) : kept.map(keptMetadata);
    } else if (!withSecrets) {
      tokens = (await readRecords()).map(keptMetadata);
    } else {
      const key = await unlockedKey(vault, true);
      if (!key) throw vaultLocked();
      tokens = await Promise.all((await readRecords()).map((record) => openRecord(key, record)));
    }
    const entries = tokens
      .sort((a, b) => a.createdAt - b.createdAt)
      .map((token) => ({ ...token, createdAt: new Date(token.createdAt).toISOString() }));
    const exported = {
      format: 'tokenmint-vault-export',
      version: 1,
      exportedAt: new Date().toISOString(),
      mode: vault ? 'persistent' : 'session',
      withSecrets,
      tokens: entries,
    };
    return JSON.stringify(exported, null, 2);
  });
}

/** Forgets every kept token, the vault and its key, in either mode; back to session mode. Settings stay. */
export function wipeVault(): Promise<VaultStatus> {
  return exclusive(async () => {
    const stored = Object.keys(await browser.storage.local.get(null));
    await browser.storage.local.remove(stored.filter((name) => name === HEADER || name.startsWith(RECORD)));
    await forgetKey();
    for (const token of await sessionKept.all()) await sessionKept.remove(token.id);
    return status();
  });
}

async function status(): Promise<VaultStatus> {
  const vault = await readHeader();
  if (!vault) return { mode: 'session', locked: false, entries: (await sessionKept.all()).length };
  return {
    mode: 'persistent',
    locked: (await unlockedKey(vault, false)) === null,
    entries: (await readRecords()).length,
    iterations: vault.kdf.iterations,
  };
}

function checkNewPassphrase(passphrase: string): void {
  if (passphrase.length < MIN_PASSPHRASE) {
    throw siteError('invalid', t('vault_passphraseShort', MIN_PASSPHRASE), t('vault_passphraseShortNext'));
  }
}

// ---- Storage ----

async function readHeader(): Promise<VaultHeader | undefined> {
  return (await browser.storage.local.get(HEADER))[HEADER] as VaultHeader | undefined;
}

async function readRecords(): Promise<VaultRecord[]> {
  const everything = await browser.storage.local.get(null);
  return Object.entries(everything)
    .filter(([name]) => name.startsWith(RECORD))
    .map(([, record]) => record as VaultRecord);
}

/** What a record's ciphertext is bound to: it opens only as this token, of this site and origin. */
function recordContext(token: KeptToken): string {
  return JSON.stringify(['tokenmint/kept/v1', token.id, token.origin, token.siteId]);
}

async function sealRecord(key: Uint8Array, token: KeptSecret): Promise<VaultRecord> {
  const secret = token.header ? { secret: token.secret, header: token.header } : { secret: token.secret };
  const meta = { ...keptMetadata(token), preview: mask(token.secret) };
  return { ...meta, sealed: await seal(key, JSON.stringify(secret), recordContext(meta)) };
}

async function openRecord(key: Uint8Array, record: VaultRecord): Promise<KeptSecret> {
  const plain = await unseal(key, record.sealed, recordContext(record));
  if (plain === null) throw damaged();
  const { secret, header } = JSON.parse(plain) as { secret: string; header?: string };
  return withSecret(header ? { ...record, secret, header } : { ...record, secret });
}

// ---- The key and the auto-lock ----

/**
 * The unlocked key of this vault, or null when locked. The idle limit is enforced here too, so a late alarm never
 * leaves a usable key behind. `use` counts this as a use of the vault, which restarts the idle time.
 */
async function unlockedKey(vault: VaultHeader, use: boolean): Promise<Uint8Array | null> {
  const stored = await browser.storage.session.get([KEY, USED]);
  const unlocked = stored[KEY] as UnlockedKey | undefined;
  if (!unlocked) return null;
  if (unlocked.salt !== vault.kdf.salt || (await idleTooLong(stored[USED]))) {
    await forgetKey();
    return null;
  }
  if (use) {
    const now = Date.now();
    await browser.storage.session.set({ [USED]: now });
    await scheduleLock(now);
  }
  return fromBase64(unlocked.key);
}

async function keepKey(key: Uint8Array, salt: string): Promise<void> {
  const now = Date.now();
  await browser.storage.session.set({ [KEY]: { key: toBase64(key), salt } satisfies UnlockedKey, [USED]: now });
  await scheduleLock(now);
}

async function forgetKey(): Promise<void> {
  await browser.storage.session.remove([KEY, USED]);
  await browser.alarms.clear(AUTO_LOCK_ALARM);
}

async function idleTooLong(usedAt: unknown): Promise<boolean> {
  const minutes = (await getSettings()).autoLockMinutes;
  return minutes > 0 && (typeof usedAt !== 'number' || Date.now() >= usedAt + minutes * 60_000);
}

async function scheduleLock(usedAt: number): Promise<void> {
  const minutes = (await getSettings()).autoLockMinutes;
  if (minutes > 0) await browser.alarms.create(AUTO_LOCK_ALARM, { when: usedAt + minutes * 60_000 });
  else await browser.alarms.clear(AUTO_LOCK_ALARM);
}

/** On the alarm, or when the idle time changes: lock if idle too long, else (re)schedule for the time left. */
async function enforceIdle(): Promise<void> {
  const stored = await browser.storage.session.get([KEY, USED]);
  if (!stored[KEY]) await browser.alarms.clear(AUTO_LOCK_ALARM);
  else if (await idleTooLong(stored[USED])) await forgetKey();
  else await scheduleLock(stored[USED] as number);
}
