import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { DEFAULT_SETTINGS } from '../core/settings.ts';
import type { ClipboardAnswer, ClipboardOp } from '../core/dom-clipboard.ts';
import type { ClipboardOrder } from '../offscreen/offscreen.ts';

/**
 * The slice of the browser the clipboard uses, in memory: storage, alarms, the offscreen document and, behind it, a
 * clipboard that compares digests as the real offscreen page does (synchronously here, so one macrotask settles it).
 * In Firefox the background page runs the same clipboard commands itself: `inPage` stands for them.
 */
function fakeBrowser() {
  const session = new Map<string, unknown>();
  const local = new Map<string, unknown>();
  const area = (map: Map<string, unknown>) => ({
    async get(key: string | null) {
      if (key === null) return Object.fromEntries(map);
      return map.has(key) ? { [key]: structuredClone(map.get(key)) } : {};
    },
    async set(items: Record<string, unknown>) {
      for (const [key, value] of Object.entries(items)) map.set(key, structuredClone(value));
    },
    async remove(key: string) {
      map.delete(key);
    },
  });
  const alarms = new Map<string, { when: number }>();
  let alarmListeners: ((alarm: { name: string }) => void)[] = [];
  const state = {
    session,
    local,
    alarms,
    clipboard: 'before',
    documentOpen: false,
    created: [] as unknown[],
    closed: 0,
    orders: [] as ClipboardOrder[],
    /** Firefox: the commands the background page ran itself. */
    pageOrders: [] as ClipboardOp[],
    /** What the offscreen page answers instead of doing the work. */
    refuse: false,
    fireAlarm(name: string) {
      for (const listener of alarmListeners) listener({ name });
    },
    /** The worker is stopped: its timers and listeners are gone, storage and alarms stay. */
    stopWorker() {
      // clearAllTimers also winds the fake clock back to where it started: keep the time.
      const now = Date.now();
      vi.clearAllTimers();
      vi.setSystemTime(now);
      alarmListeners = [];
    },
  };
  const digest = (text: string) => createHash('sha256').update(text).digest('hex');
  const api = {
    storage: { session: area(session), local: area(local) },
    alarms: {
      async create(name: string, info: { when: number }) {
        alarms.set(name, info);
      },
      async clear(name: string) {
        return alarms.delete(name);
      },
      onAlarm: { addListener: (listener: (alarm: { name: string }) => void) => alarmListeners.push(listener) },
    },
    offscreen: {
      async createDocument(parameters: unknown) {
        if (state.documentOpen) throw new Error('Only a single offscreen document may be created.');
        state.documentOpen = true;
        state.created.push(parameters);
      },
      async closeDocument() {
        if (!state.documentOpen) throw new Error('No current offscreen document.');
        state.documentOpen = false;
        state.closed += 1;
      },
    },
    runtime: {
      getURL: (path: string) => `chrome-extension://tokenmint/${path}`,
      async getContexts() {
        return state.documentOpen ? [{ contextType: 'OFFSCREEN_DOCUMENT' }] : [];
      },
      async sendMessage(message: ClipboardOrder): Promise<ClipboardAnswer> {
        if (!state.documentOpen) throw new Error('Could not establish connection. Receiving end does not exist.');
        state.orders.push(structuredClone(message));
        return clipboardCommand(message);
      },
    },
  };
  function clipboardCommand(op: ClipboardOp): ClipboardAnswer {
    if (state.refuse) return { ok: false };
    if (op.op === 'write') {
      state.clipboard = op.text;
      return { ok: true, cleared: false };
    }
    if (digest(state.clipboard) !== op.digest) return { ok: true, cleared: false };
    state.clipboard = '';
    return { ok: true, cleared: true };
  }
  const inPage = async (op: ClipboardOp) => {
    state.pageOrders.push(structuredClone(op));
    return clipboardCommand(op);
  };
  return { api, state, digest, inPage };
}

const browser = vi.hoisted(() => ({ current: undefined as ReturnType<typeof fakeBrowser>['api'] | undefined }));
vi.mock('webextension-polyfill', () => ({
  default: new Proxy({}, { get: (_, key) => browser.current?.[key as 'storage'] }),
}));
vi.mock('../core/dom-clipboard.ts', () => ({ carryOut: (op: ClipboardOp) => fake.inPage(op) }));

let fake: ReturnType<typeof fakeBrowser>;
let clipboard: typeof import('./clipboard.ts');

/** A fresh worker: the module's memory is new, its top-level listeners registered again. */
async function startWorker() {
  vi.resetModules();
  clipboard = await import('./clipboard.ts');
}

/** Lets the work a timer or alarm started run to its end (the fakes answer within microtasks). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

function useSeconds(clipboardSeconds: number) {
  fake.state.local.set('settings', { ...DEFAULT_SETTINGS, clipboardSeconds });
}

const pending = () => fake.state.session.get('clipboard-pending') as { digest: string; clearsAt: number } | undefined;

/** Copies `secret` onto a clipboard that refuses it: one plain sentence, and no clear left waiting. */
async function expectCopyRefused(secret: string) {
  fake.state.refuse = true;
  await expect(clipboard.copyToClipboard(secret)).rejects.toMatchObject({
    user: { code: 'internal', sentence: 'Tokenmint could not reach the clipboard.' },
  });
  expect(pending()).toBeUndefined();
  expect(fake.state.alarms.size).toBe(0);
}

beforeEach(async () => {
  // Real setImmediate stays, to settle; the clock and the timers are fake.
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  vi.setSystemTime(new Date('2030-01-01T00:00:00Z'));
  fake = fakeBrowser();
  browser.current = fake.api;
  await startWorker();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('copyToClipboard', () => {
  test('writes through an offscreen document made for CLIPBOARD, and clears after 45 s by default', async () => {
    const start = Date.now();
    expect(await clipboard.copyToClipboard('tok-secret-1')).toEqual({ clearsAt: start + 45_000 });
    expect(fake.state.clipboard).toBe('tok-secret-1');
    expect(fake.state.created).toEqual([
      expect.objectContaining({ url: 'src/offscreen/offscreen.html', reasons: ['CLIPBOARD'] }),
    ]);
    // Only a digest and the due time are kept, in storage.session; the alarm is set for the same moment.
    expect(pending()).toEqual({ digest: fake.digest('tok-secret-1'), clearsAt: start + 45_000 });
    expect(JSON.stringify([...fake.state.session, ...fake.state.local])).not.toContain('tok-secret-1');
    expect(fake.state.alarms.get('clipboard-clear')).toEqual({ when: start + 45_000 });
    // Closed once nothing waits for it.
    expect(fake.state.documentOpen).toBe(false);

    await vi.advanceTimersByTimeAsync(44_999);
    await settle();
    expect(fake.state.clipboard).toBe('tok-secret-1');

    await vi.advanceTimersByTimeAsync(1);
    await settle();
    expect(fake.state.clipboard).toBe('');
    expect(pending()).toBeUndefined();
    expect(fake.state.alarms.has('clipboard-clear')).toBe(false);
    expect(fake.state.documentOpen).toBe(false);
    // The clear order carries the digest only, never the secret.
    expect(fake.state.orders.at(-1)).toEqual({ target: 'tokenmint-offscreen-clipboard', op: 'clear-if', digest: fake.digest('tok-secret-1') });
  });

  test('leaves the clipboard alone when the user has copied something else since', async () => {
    useSeconds(10);
    await clipboard.copyToClipboard('tok-secret-2');
    fake.state.clipboard = 'the user’s own text';
    await vi.advanceTimersByTimeAsync(10_000);
    await settle();
    expect(fake.state.orders.map((order) => order.op)).toEqual(['write', 'clear-if']);
    expect(fake.state.clipboard).toBe('the user’s own text');
    expect(pending()).toBeUndefined();
  });

  test('a worker stopped before the delay is woken by the alarm, which clears', async () => {
    await clipboard.copyToClipboard('tok-secret-3');
    fake.state.stopWorker();
    vi.setSystemTime(Date.now() + 45_000);
    await startWorker();
    // The alarm's listener is registered at start-up, before anything else runs.
    fake.state.fireAlarm('clipboard-clear');
    await settle();
    expect(fake.state.clipboard).toBe('');
    expect(pending()).toBeUndefined();
    expect(fake.state.alarms.has('clipboard-clear')).toBe(false);
  });

  test('an alarm that comes early waits for the due time, timer and alarm both', async () => {
    const start = Date.now();
    await clipboard.copyToClipboard('tok-secret-4');
    await vi.advanceTimersByTimeAsync(10_000);
    fake.state.fireAlarm('clipboard-clear');
    await settle();
    expect(fake.state.clipboard).toBe('tok-secret-4');
    expect(fake.state.alarms.get('clipboard-clear')).toEqual({ when: start + 45_000 });
    await vi.advanceTimersByTimeAsync(35_000);
    await settle();
    expect(fake.state.clipboard).toBe('');
  });

  test('a short delay survives a worker restart: the new worker takes the due time from storage.session', async () => {
    useSeconds(2);
    await clipboard.copyToClipboard('tok-secret-5');
    fake.state.stopWorker();
    vi.setSystemTime(Date.now() + 1_000);
    await startWorker();
    await settle();
    expect(fake.state.clipboard).toBe('tok-secret-5');
    await vi.advanceTimersByTimeAsync(1_000);
    await settle();
    expect(fake.state.clipboard).toBe('');
  });

  test('0 means never: nothing is scheduled, and an earlier copy’s clear is dropped', async () => {
    await clipboard.copyToClipboard('tok-secret-6');
    expect(pending()).toBeDefined();
    useSeconds(0);
    expect(await clipboard.copyToClipboard('tok-secret-7')).toEqual({ clearsAt: null });
    expect(pending()).toBeUndefined();
    expect(fake.state.alarms.size).toBe(0);
    await vi.advanceTimersByTimeAsync(3_600_000);
    fake.state.fireAlarm('clipboard-clear');
    await settle();
    expect(fake.state.clipboard).toBe('tok-secret-7');
    expect(fake.state.orders.map((order) => order.op)).toEqual(['write', 'write']);
  });

  test('a newer copy replaces the pending clear', async () => {
    await clipboard.copyToClipboard('tok-secret-8');
    await vi.advanceTimersByTimeAsync(10_000);
    const second = await clipboard.copyToClipboard('tok-secret-9');
    expect(second.clearsAt).toBe(Date.now() + 45_000);
    await vi.advanceTimersByTimeAsync(35_000);
    await settle();
    expect(fake.state.clipboard).toBe('tok-secret-9');
    await vi.advanceTimersByTimeAsync(10_000);
    await settle();
    expect(fake.state.clipboard).toBe('');
  });

  test('a clipboard that cannot be written is one plain sentence, with nothing left scheduled', async () => {
    await expectCopyRefused('tok-secret-10');
    expect(fake.state.documentOpen).toBe(false);
  });

  test('a failed copy keeps the clear of the token copied before it', async () => {
    const first = await clipboard.copyToClipboard('tok-secret-11');
    fake.state.refuse = true;
    await vi.advanceTimersByTimeAsync(5_000);
    await expect(clipboard.copyToClipboard('tok-secret-12')).rejects.toMatchObject({ user: { code: 'internal' } });
    expect(pending()).toEqual({ digest: fake.digest('tok-secret-11'), clearsAt: first.clearsAt });
    expect(fake.state.alarms.get('clipboard-clear')).toEqual({ when: first.clearsAt });
    fake.state.refuse = false;
    await vi.advanceTimersByTimeAsync(40_000);
    await settle();
    expect(fake.state.clipboard).toBe('');
  });

  test('reuses an offscreen document an earlier worker left open; copies asked together share it, in order', async () => {
    fake.state.documentOpen = true;
    await Promise.all([clipboard.copyToClipboard('tok-a'), clipboard.copyToClipboard('tok-b')]);
    expect(fake.state.orders.map((order) => order.op === 'write' && order.text)).toEqual(['tok-a', 'tok-b']);
    expect(fake.state.created).toEqual([]);
    expect(fake.state.closed).toBe(1);
    expect(fake.state.clipboard).toBe('tok-b');
    expect(pending()?.digest).toBe(fake.digest('tok-b'));
  });
});

describe('copyToClipboard in Firefox, whose background is a page', () => {
  beforeEach(async () => {
    vi.stubEnv('FIREFOX', 'true');
    await startWorker();
  });

  afterEach(() => {
    vi.unstubAllEnvs();
  });

  test('copies and clears in the background page itself, never asking for an offscreen document', async () => {
    useSeconds(10);
    const start = Date.now();
    expect(await clipboard.copyToClipboard('tok-firefox-1')).toEqual({ clearsAt: start + 10_000 });
    expect(fake.state.clipboard).toBe('tok-firefox-1');
    expect(pending()).toEqual({ digest: fake.digest('tok-firefox-1'), clearsAt: start + 10_000 });

    await vi.advanceTimersByTimeAsync(10_000);
    await settle();
    expect(fake.state.clipboard).toBe('');
    expect(fake.state.pageOrders).toEqual([
      { op: 'write', text: 'tok-firefox-1' },
      { op: 'clear-if', digest: fake.digest('tok-firefox-1') },
    ]);
    expect(fake.state.orders).toEqual([]);
    expect(fake.state.created).toEqual([]);
    expect(fake.state.closed).toBe(0);
  });

  test('a clipboard the page cannot write is the same plain sentence, with nothing left scheduled', async () => {
    await expectCopyRefused('tok-firefox-2');
    expect(fake.state.created).toEqual([]);
  });
});
