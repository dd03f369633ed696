import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { DEFAULT_SETTINGS } from '../core/settings.ts';
import { fromBase64, newLock } from '../core/vault-crypto.ts';
import { sha256Hex } from '../core/digest.ts';
import { fakeBrowser } from '../../test/unit/fake-browser.ts';
import { revealFixture } from '../../test/unit/reveal-fixture.ts';

const browser = vi.hoisted(() => ({ current: undefined as ReturnType<typeof fakeBrowser> | undefined }));
vi.mock('webextension-polyfill', () => ({
  default: new Proxy({}, { get: (_, key) => browser.current?.[key as 'storage'] }),
}));
// vault.ts registers its alarm and storage listeners when loaded, as the worker must: the fake has to exist first.
const fake = fakeBrowser();
browser.current = fake;
const vault = await import('./vault.ts');
const { keepReveal, keptToken, keptFor, keptByDigest, forgetKept } = await import('./kept-tokens.ts');

const passphrase = 'correct horse battery staple';
const nextPassphrase = 'tr0ub4dor & three';
const secrets = ['gdc-secret-one-0123456789abcdef', 'gdc-secret-two-0123456789abcdef', 'gdc-secret-three-0123456789abc'];
const MINUTE = 60_000;

const reveal = (id: string, secret: string, origin = 'https://a.test') => revealFixture(id, secret, origin, 1_700_000_000_000 + Number(id));

const locked = { user: { code: 'locked', sentence: 'The vault is locked.', next: "Unlock it in Tokenmint's settings." } };
const wrong = { user: { code: 'invalid', sentence: 'That passphrase does not open the vault.' } };

const dump = (area: Map<string, unknown>) => JSON.stringify(Object.fromEntries(area));
const records = () => [...fake.local].filter(([name]) => name.startsWith('vault:')) as [string, { sealed: { iv: string; data: string } }][];
const header = () => fake.local.get('vault') as { version: number; kdf: { name: string; hash: string; iterations: number; salt: string }; check: unknown };

/** Nothing in the area's whole dump is a secret, a header line, a passphrase, or (for storage.local) the key. */
function expectNothingSecretIn(area: Map<string, unknown>, also: string[] = []) {
  const text = dump(area);
  for (const secret of [...secrets, passphrase, nextPassphrase, ...also]) expect(text).not.toContain(secret);
}

/** The unlocked key as storage.session holds it, if any. */
const sessionKey = () => (fake.session.get('vault-key') as { key: string } | undefined)?.key;

async function keepAll(count = secrets.length) {
  for (let i = 0; i < count; i++) await keepReveal(reveal(String(i + 1), secrets[i]!));
}

beforeEach(() => {
  fake.reset();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('session mode (the default)', () => {
  test('keeps tokens in storage.session only, and reports itself', async () => {
    expect(await vault.vaultStatus()).toEqual({ mode: 'session', locked: false, entries: 0 });
    await keepAll(2);
    expect(await vault.vaultStatus()).toEqual({ mode: 'session', locked: false, entries: 2 });
    expect([...fake.session.keys()].sort()).toEqual(['kept:1', 'kept:2']);
    expect(fake.local.size).toBe(0);
    expect((await keptToken('1'))?.secret).toBe(secrets[0]);
  });

  test('lock and unlock have no vault to act on', async () => {
    expect(await vault.lockVault()).toEqual({ mode: 'session', locked: false, entries: 0 });
    await expect(vault.unlockVault(passphrase)).rejects.toMatchObject({ user: { code: 'not-found' } });
    await expect(vault.changePassphrase(passphrase, nextPassphrase)).rejects.toMatchObject({ user: { code: 'not-found' } });
  });
});

describe('setting up the persistent vault', () => {
  test('moves the session-kept tokens in, encrypted, and leaves it unlocked', async () => {
    await keepAll();
    const status = await vault.setUpVault(passphrase);
    expect(status).toEqual({ mode: 'persistent', locked: false, entries: 3, iterations: header().kdf.iterations });
    expect([...fake.session.keys()].filter((name) => name.startsWith('kept:'))).toEqual([]);
    expect(records().map(([name]) => name).sort()).toEqual(['vault:1', 'vault:2', 'vault:3']);
    expectNothingSecretIn(fake.local, [sessionKey()!]);
    for (const [i, secret] of secrets.entries()) {
      expect(await keptToken(String(i + 1))).toMatchObject({ secret, header: `Authorization: Bearer ${secret}` });
    }
  });

  test('stores its KDF parameters with the ciphertext: PBKDF2-SHA256, ≥ 600,000 iterations, a 16-byte salt', async () => {
    await vault.setUpVault(passphrase);
    const { version, kdf } = header();
    expect(version).toBe(1);
    expect(kdf).toMatchObject({ name: 'PBKDF2', hash: 'SHA-256' });
    expect(kdf.iterations).toBeGreaterThanOrEqual(600_000);
    expect(fromBase64(kdf.salt)).toHaveLength(16);
    expect((await vault.vaultStatus()).iterations).toBe(kdf.iterations);
  });

  test('a record holds its metadata and preview in plain text, and nothing else but the sealed secret', async () => {
    await vault.setUpVault(passphrase);
    await keepReveal(reveal('7', secrets[0]!), { scopes: ['workspace:read'], expiresAt: '2027-01-01T00:00:00.000Z' });
    const record = fake.local.get('vault:7') as Record<string, unknown> & { sealed: { iv: string; data: string } };
    expect(Object.keys(record).sort()).toEqual(
      ['createdAt', 'expiresAt', 'id', 'name', 'origin', 'preview', 'scopes', 'sealed', 'siteId', 'siteName', 'tokenId'].sort(),
    );
    expect(record).toMatchObject({ id: '7', origin: 'https://a.test', siteId: 'gooddata', preview: 'gdc-…cdef' });
    expect(Object.keys(record.sealed).sort()).toEqual(['data', 'iv']);
    expect(fromBase64(record.sealed.iv)).toHaveLength(12);
    expectNothingSecretIn(fake.local, [sessionKey()!]);
  });

  test('every record has its own IV', async () => {
    await keepAll();
    await vault.setUpVault(passphrase);
    await keepReveal(reveal('9', secrets[0]!)); // the same secret again
    expect(new Set(records().map(([, record]) => record.sealed.iv)).size).toBe(4);
    expect(new Set(records().map(([, record]) => record.sealed.data)).size).toBe(4);
  });

  test('is refused a second time, and with a passphrase that is too short', async () => {
    await expect(vault.setUpVault('short')).rejects.toMatchObject({ user: { code: 'invalid' } });
    expect(fake.local.size).toBe(0);
    await vault.setUpVault(passphrase);
    await expect(vault.setUpVault(nextPassphrase)).rejects.toMatchObject({ user: { code: 'conflict' } });
  });
});

describe('locking', () => {
  test('clears the key from storage.session, and leaves no secret there', async () => {
    await keepAll();
    await vault.setUpVault(passphrase);
    const key = sessionKey()!;
    expect(fromBase64(key)).toHaveLength(32);
    expect(await vault.lockVault()).toMatchObject({ mode: 'persistent', locked: true, entries: 3 });
    expect(fake.session.has('vault-key')).toBe(false);
    expect(fake.scheduled.has(vault.AUTO_LOCK_ALARM)).toBe(false);
    expectNothingSecretIn(fake.session, [key]);
    expectNothingSecretIn(fake.local, [key]);
  });

  test('a locked vault still lists its tokens, with previews and no secrets', async () => {
    await keepAll(2);
    await vault.setUpVault(passphrase);
    await vault.lockVault();
    const listed = await keptFor('https://a.test', 'gooddata');
    expect(listed.map((token) => [token.id, token.preview])).toEqual([
      ['1', 'gdc-…cdef'],
      ['2', 'gdc-…cdef'],
    ]);
    expect(JSON.stringify(listed)).not.toContain('secret-one');
    expect(listed[0]).not.toHaveProperty('secret');
  });

  test('a locked vault refuses every use of a secret with a clear sentence', async () => {
    await keepAll(1);
    await vault.setUpVault(passphrase);
    await vault.lockVault();
    await expect(keptToken('1')).rejects.toMatchObject(locked);
    await expect(keepReveal(reveal('2', secrets[1]!))).rejects.toMatchObject(locked);
    await expect(vault.exportVault(true)).rejects.toMatchObject(locked);
    expect(await keptByDigest([await sha256Hex(secrets[0]!)])).toEqual([null]);
    expect(await keptToken('nope')).toBeUndefined();
    expect(records()).toHaveLength(1);
    expectNothingSecretIn(fake.session);
  });

  test('a token can be forgotten while locked', async () => {
    await keepAll(2);
    await vault.setUpVault(passphrase);
    await vault.lockVault();
    await forgetKept('1');
    expect(records().map(([name]) => name)).toEqual(['vault:2']);
  });

  test('unlocking: a wrong passphrase is told apart; the right one opens the tokens', async () => {
    await keepAll();
    await vault.setUpVault(passphrase);
    await vault.lockVault();
    await expect(vault.unlockVault('correct horse battery stapler')).rejects.toMatchObject(wrong);
    expect(fake.session.has('vault-key')).toBe(false);
    expect(await vault.unlockVault(passphrase)).toMatchObject({ mode: 'persistent', locked: false, entries: 3 });
    expect((await keptToken('2'))?.secret).toBe(secrets[1]);
    expect(await keptByDigest([await sha256Hex(secrets[2]!)])).toEqual(['token-3']);
  });

  test('a browser restart (storage.session emptied) locks it; the passphrase brings the tokens back', async () => {
    await keepAll();
    await vault.setUpVault(passphrase);
    fake.session.clear();
    expect(await vault.vaultStatus()).toMatchObject({ locked: true, entries: 3 });
    expect((await keptFor('https://a.test', 'gooddata')).map((token) => token.name)).toEqual(['token-1', 'token-2', 'token-3']);
    await vault.unlockVault(passphrase);
    expect((await keptToken('3'))?.secret).toBe(secrets[2]);
  });

  test('a key that belongs to another vault is not used', async () => {
    await vault.setUpVault(passphrase);
    const { key } = await newLock(nextPassphrase, 1_000);
    await fake.storage.session.set({ 'vault-key': { key: btoa(String.fromCharCode(...key)), salt: 'AAAAAAAAAAAAAAAAAAAAAA==' } });
    expect(await vault.vaultStatus()).toMatchObject({ locked: true });
    expect(fake.session.has('vault-key')).toBe(false);
  });
});

describe('what a stored record is bound to', () => {
  test('a ciphertext moved to another record, a changed origin or a tampered ciphertext or IV does not open', async () => {
    await keepAll(2);
    await vault.setUpVault(passphrase);
    const one = structuredClone(fake.local.get('vault:1')) as { sealed: { iv: string; data: string }; origin: string };
    const two = structuredClone(fake.local.get('vault:2')) as typeof one;
    const damaged = { user: { code: 'internal', sentence: expect.stringContaining('could not be decrypted') } };

    await fake.storage.local.set({ 'vault:2': { ...two, sealed: one.sealed } });
    await expect(keptToken('2')).rejects.toMatchObject(damaged);

    await fake.storage.local.set({ 'vault:2': { ...two, origin: 'https://evil.test' } });
    await expect(keptToken('2')).rejects.toMatchObject(damaged);

    const data = fromBase64(two.sealed.data);
    data[3] = (data[3] ?? 0) ^ 0x80;
    await fake.storage.local.set({ 'vault:2': { ...two, sealed: { ...two.sealed, data: btoa(String.fromCharCode(...data)) } } });
    await expect(keptToken('2')).rejects.toMatchObject(damaged);

    const iv = fromBase64(two.sealed.iv);
    iv[0] = (iv[0] ?? 0) ^ 0x01;
    await fake.storage.local.set({ 'vault:2': { ...two, sealed: { ...two.sealed, iv: btoa(String.fromCharCode(...iv)) } } });
    await expect(keptToken('2')).rejects.toMatchObject(damaged);

    await fake.storage.local.set({ 'vault:2': two });
    expect((await keptToken('2'))?.secret).toBe(secrets[1]);
    // A damaged record is left out of digest matching rather than breaking it.
    await fake.storage.local.set({ 'vault:2': { ...two, sealed: one.sealed } });
    expect(await keptByDigest([await sha256Hex(secrets[0]!), await sha256Hex(secrets[1]!)])).toEqual(['token-1', null]);
  });
});

describe('KDF parameters', () => {
  test('a vault written with 1,000 iterations opens with its own, and a passphrase change raises them', async () => {
    const { lock } = await newLock(passphrase, 1_000);
    await fake.storage.local.set({ vault: { version: 1, ...lock, createdAt: 1 } });
    expect(await vault.vaultStatus()).toEqual({ mode: 'persistent', locked: true, entries: 0, iterations: 1_000 });
    await vault.unlockVault(passphrase);
    await keepReveal(reveal('1', secrets[0]!));
    await vault.lockVault();
    await vault.unlockVault(passphrase);
    expect((await keptToken('1'))?.secret).toBe(secrets[0]);

    const status = await vault.changePassphrase(passphrase, nextPassphrase);
    expect(status.iterations).toBeGreaterThanOrEqual(600_000);
    expect(header().kdf.iterations).toBe(status.iterations);
    await vault.lockVault();
    await vault.unlockVault(nextPassphrase);
    expect((await keptToken('1'))?.secret).toBe(secrets[0]);
  });

  test('the same passphrase under other stored parameters does not open the vault', async () => {
    const { lock } = await newLock(passphrase, 1_000);
    await fake.storage.local.set({ vault: { version: 1, ...lock, kdf: { ...lock.kdf, iterations: 2_000 }, createdAt: 1 } });
    await expect(vault.unlockVault(passphrase)).rejects.toMatchObject(wrong);
  });
});

describe('changing the passphrase', () => {
  test('the old one fails, the new one works, every entry is re-encrypted with new IVs, in one write', async () => {
    await keepAll();
    await vault.setUpVault(passphrase);
    const before = new Map(records().map(([name, record]) => [name, record.sealed]));
    const salt = header().kdf.salt;
    const oldKey = sessionKey();

    const set = vi.spyOn(fake.storage.local, 'set');
    expect(await vault.changePassphrase(passphrase, nextPassphrase)).toMatchObject({ mode: 'persistent', locked: false, entries: 3 });
    expect(set).toHaveBeenCalledTimes(1);
    expect(Object.keys(set.mock.calls[0]![0]).sort()).toEqual(['vault', 'vault:1', 'vault:2', 'vault:3']);
    set.mockRestore();

    expect(header().kdf.salt).not.toBe(salt);
    expect(sessionKey()).not.toBe(oldKey);
    for (const [name, record] of records()) {
      expect(record.sealed.iv).not.toBe(before.get(name)?.iv);
      expect(record.sealed.data).not.toBe(before.get(name)?.data);
    }
    expectNothingSecretIn(fake.local, [sessionKey()!, oldKey!]);

    await vault.lockVault();
    await expect(vault.unlockVault(passphrase)).rejects.toMatchObject(wrong);
    await vault.unlockVault(nextPassphrase);
    for (const [i, secret] of secrets.entries()) expect((await keptToken(String(i + 1)))?.secret).toBe(secret);
  });

  test('a wrong current passphrase or a too short new one changes nothing', async () => {
    await keepAll(1);
    await vault.setUpVault(passphrase);
    const stored = dump(fake.local);
    await expect(vault.changePassphrase('not the passphrase', nextPassphrase)).rejects.toMatchObject(wrong);
    await expect(vault.changePassphrase(passphrase, 'short')).rejects.toMatchObject({ user: { code: 'invalid' } });
    expect(dump(fake.local)).toBe(stored);
    await vault.lockVault();
    await vault.unlockVault(passphrase);
  });

  test('works while locked, and leaves the vault unlocked', async () => {
    await keepAll(1);
    await vault.setUpVault(passphrase);
    await vault.lockVault();
    expect(await vault.changePassphrase(passphrase, nextPassphrase)).toMatchObject({ locked: false });
    expect((await keptToken('1'))?.secret).toBe(secrets[0]);
  });
});

describe('export', () => {
  test('without secrets: metadata and previews, locked or not', async () => {
    await keepAll();
    await vault.setUpVault(passphrase);
    await vault.lockVault();
    const text = await vault.exportVault(false);
    for (const secret of [...secrets, passphrase]) expect(text).not.toContain(secret);
    const exported = JSON.parse(text) as { format: string; mode: string; withSecrets: boolean; tokens: Record<string, unknown>[] };
    expect(exported).toMatchObject({ format: 'tokenmint-vault-export', mode: 'persistent', withSecrets: false });
    expect(exported.tokens.map((token) => token.id)).toEqual(['1', '2', '3']);
    expect(exported.tokens[0]).toEqual({
      id: '1',
      siteId: 'gooddata',
      siteName: 'GoodData',
      origin: 'https://a.test',
      tokenId: 'token-1',
      name: 'token-1',
      createdAt: new Date(1_700_000_000_001).toISOString(),
      preview: 'gdc-…cdef',
    });
  });

  test('with secrets: only when unlocked', async () => {
    await keepAll();
    await vault.setUpVault(passphrase);
    const exported = JSON.parse(await vault.exportVault(true)) as { withSecrets: boolean; tokens: { secret: string; header: string }[] };
    expect(exported.withSecrets).toBe(true);
    expect(exported.tokens.map((token) => token.secret)).toEqual(secrets);
    expect(exported.tokens[0]?.header).toBe(`Authorization: Bearer ${secrets[0]}`);
    expect(JSON.stringify(exported)).not.toContain(passphrase);
  });

  test('in session mode, from memory', async () => {
    await keepAll(1);
    expect(await vault.exportVault(false)).not.toContain(secrets[0]);
    expect(await vault.exportVault(true)).toContain(secrets[0]);
  });
});

describe('wipe', () => {
  test('forgets every kept token, the vault and its key; settings stay; back to session mode', async () => {
    await fake.storage.local.set({ settings: { ...DEFAULT_SETTINGS, clipboardSeconds: 10 } });
    await keepAll(2);
    await vault.setUpVault(passphrase);
    await keepReveal(reveal('3', secrets[2]!));
    expect(await vault.wipeVault()).toEqual({ mode: 'session', locked: false, entries: 0 });
    expect([...fake.local.keys()]).toEqual(['settings']);
    expect([...fake.session.keys()]).toEqual([]);
    expect(fake.scheduled.size).toBe(0);
    expect(await keptFor('https://a.test', 'gooddata')).toEqual([]);
    // A new vault can be set up afresh.
    await vault.setUpVault(nextPassphrase);
    expect(await vault.vaultStatus()).toMatchObject({ mode: 'persistent', entries: 0 });
  });

  test('in session mode, forgets the tokens kept in memory', async () => {
    await keepAll(2);
    expect(await vault.wipeVault()).toEqual({ mode: 'session', locked: false, entries: 0 });
    expect(fake.session.size).toBe(0);
  });
});

describe('auto-lock', () => {
  async function unlockedAt(start: number, autoLockMinutes = 15) {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(start);
    await fake.storage.local.set({ settings: { ...DEFAULT_SETTINGS, autoLockMinutes } });
    await keepAll(1);
    await vault.setUpVault(passphrase);
  }

  test('the alarm locks the vault after the idle time; a use before pushes it back', async () => {
    const start = 1_800_000_000_000;
    await unlockedAt(start);
    expect(fake.scheduled.get(vault.AUTO_LOCK_ALARM)?.scheduledTime).toBe(start + 15 * MINUTE);

    vi.setSystemTime(start + 10 * MINUTE);
    expect((await keptToken('1'))?.secret).toBe(secrets[0]); // a use
    expect(fake.scheduled.get(vault.AUTO_LOCK_ALARM)?.scheduledTime).toBe(start + 25 * MINUTE);

    // Listing and digest matching are not uses.
    vi.setSystemTime(start + 20 * MINUTE);
    await keptFor('https://a.test', 'gooddata');
    await keptByDigest([await sha256Hex(secrets[0]!)]);
    expect(fake.scheduled.get(vault.AUTO_LOCK_ALARM)?.scheduledTime).toBe(start + 25 * MINUTE);

    vi.setSystemTime(start + 25 * MINUTE);
    expect(await fake.fireAlarms(Date.now())).toEqual([vault.AUTO_LOCK_ALARM]);
    expect(fake.session.has('vault-key')).toBe(false);
    expect(await vault.vaultStatus()).toMatchObject({ locked: true });
    expectNothingSecretIn(fake.session);
  });

  test('an alarm that comes early (idle time since raised) only reschedules', async () => {
    const start = 1_800_000_000_000;
    await unlockedAt(start, 5);
    await fake.storage.local.set({ settings: { ...DEFAULT_SETTINGS, autoLockMinutes: 30 } });
    await vault.vaultStatus(); // waits for the settings change to be applied
    expect(fake.scheduled.get(vault.AUTO_LOCK_ALARM)?.scheduledTime).toBe(start + 30 * MINUTE);
    vi.setSystemTime(start + 6 * MINUTE);
    // The alarm set for 5 minutes, delivered after all.
    await fake.alarms.onAlarm.emit({ name: vault.AUTO_LOCK_ALARM, scheduledTime: start + 5 * MINUTE });
    expect(await vault.vaultStatus()).toMatchObject({ locked: false });
    expect(fake.scheduled.get(vault.AUTO_LOCK_ALARM)?.scheduledTime).toBe(start + 30 * MINUTE);
  });

  test('a use after the idle time finds the vault locked even if the alarm has not fired', async () => {
    const start = 1_800_000_000_000;
    await unlockedAt(start);
    vi.setSystemTime(start + 15 * MINUTE + 1);
    await expect(keptToken('1')).rejects.toMatchObject(locked);
    expect(fake.session.has('vault-key')).toBe(false);
  });

  test('0 minutes never locks by itself; setting a time later schedules the lock', async () => {
    const start = 1_800_000_000_000;
    await unlockedAt(start, 0);
    expect(fake.scheduled.size).toBe(0);
    vi.setSystemTime(start + 24 * 60 * MINUTE);
    expect((await keptToken('1'))?.secret).toBe(secrets[0]);

    await fake.storage.local.set({ settings: { ...DEFAULT_SETTINGS, autoLockMinutes: 5 } });
    await vault.vaultStatus();
    expect(fake.scheduled.get(vault.AUTO_LOCK_ALARM)?.scheduledTime).toBe(start + 24 * 60 * MINUTE + 5 * MINUTE);
    vi.setSystemTime(start + 24 * 60 * MINUTE + 5 * MINUTE);
    await fake.fireAlarms(Date.now());
    expect(await vault.vaultStatus()).toMatchObject({ locked: true });
  });

  test('other alarms are left alone', async () => {
    const start = 1_800_000_000_000;
    await unlockedAt(start);
    await fake.alarms.create('clipboard-clear', { when: start + MINUTE });
    vi.setSystemTime(start + 2 * MINUTE);
    expect(await fake.fireAlarms(Date.now())).toEqual(['clipboard-clear']);
    expect(await vault.vaultStatus()).toMatchObject({ locked: false });
  });
});
