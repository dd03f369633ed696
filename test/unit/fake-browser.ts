/**
 * The slice of webextension-polyfill the background's pure logic touches, in memory, for `vi.mock`. The real
 * polyfill refuses to load outside an extension.
 *
 * A module that registers listeners at its top level (as a service worker must) needs the fake to exist when it is
 * imported: create one before the dynamic import and `reset()` it between tests, which keeps the listeners.
 */

type Listener = (...args: never[]) => unknown;

/** An `events.Event`: `emit` calls every listener and waits for what they return. */
export function fakeEvent<L extends Listener>() {
  const listeners = new Set<L>();
  return {
    listeners,
    addListener: (listener: L) => void listeners.add(listener),
    removeListener: (listener: L) => void listeners.delete(listener),
    hasListener: (listener: L) => listeners.has(listener),
    async emit(...args: Parameters<L>): Promise<void> {
      await Promise.all([...listeners].map((listener) => listener(...args)));
    },
  };
}

interface StorageChange {
  oldValue?: unknown;
  newValue?: unknown;
}
type ChangeListener = (changes: Record<string, StorageChange>, areaName: string) => unknown;

export interface FakeAlarm {
  name: string;
  scheduledTime: number;
  periodInMinutes?: number;
}
type AlarmListener = (alarm: FakeAlarm) => unknown;

function storageArea(areaName: string, store: Map<string, unknown>, onChanged: ReturnType<typeof fakeEvent<ChangeListener>>) {
  const names = (keys: string | string[]) => (typeof keys === 'string' ? [keys] : keys);
  const changed = (changes: Record<string, StorageChange>) => {
    if (Object.keys(changes).length > 0) void onChanged.emit(changes, areaName);
  };
  return {
    async get(keys?: string | string[] | Record<string, unknown> | null) {
      if (keys === null || keys === undefined) return structuredClone(Object.fromEntries(store));
      if (typeof keys === 'object' && !Array.isArray(keys)) {
        return Object.fromEntries(
          Object.entries(keys).map(([key, fallback]) => [key, structuredClone(store.has(key) ? store.get(key) : fallback)]),
        );
      }
      return Object.fromEntries(names(keys).filter((key) => store.has(key)).map((key) => [key, structuredClone(store.get(key))]));
    },
    /** Every item or none, like the browser's single write. */
    async set(items: Record<string, unknown>) {
      const copies = Object.entries(items).map(([key, value]) => [key, structuredClone(value)] as const);
      const changes: Record<string, StorageChange> = {};
      for (const [key, value] of copies) {
        changes[key] = { oldValue: store.get(key), newValue: structuredClone(value) };
        store.set(key, value);
      }
      changed(changes);
    },
    async remove(keys: string | string[]) {
      const changes: Record<string, StorageChange> = {};
      for (const key of names(keys)) {
        if (store.has(key)) changes[key] = { oldValue: store.get(key) };
        store.delete(key);
      }
      changed(changes);
    },
    async clear() {
      await this.remove([...store.keys()]);
    },
  };
}

export function fakeBrowser() {
  const session = new Map<string, unknown>();
  const local = new Map<string, unknown>();
  const onChanged = fakeEvent<ChangeListener>();
  const alarms = new Map<string, FakeAlarm>();
  const onAlarm = fakeEvent<AlarmListener>();

  return {
    storage: {
      session: storageArea('session', session, onChanged),
      local: storageArea('local', local, onChanged),
      onChanged,
    },
    alarms: {
      async create(name: string, info: { when?: number; delayInMinutes?: number; periodInMinutes?: number }) {
        const scheduledTime = info.when ?? Date.now() + (info.delayInMinutes ?? info.periodInMinutes ?? 0) * 60_000;
        const alarm: FakeAlarm = { name, scheduledTime };
        if (info.periodInMinutes !== undefined) alarm.periodInMinutes = info.periodInMinutes;
        alarms.set(name, alarm);
      },
      async get(name: string) {
        const alarm = alarms.get(name);
        return alarm && { ...alarm };
      },
      async getAll() {
        return [...alarms.values()].map((alarm) => ({ ...alarm }));
      },
      async clear(name: string) {
        return alarms.delete(name);
      },
      async clearAll() {
        const any = alarms.size > 0;
        alarms.clear();
        return any;
      },
      onAlarm,
    },
    session,
    local,
    /** The alarms as scheduled, by name. */
    scheduled: alarms,
    /**
     * Fires every alarm due at `now` (by default all of them), as the browser would, and waits for the listeners;
     * a one-shot alarm is gone once fired. Returns the names fired.
     */
    async fireAlarms(now = Number.POSITIVE_INFINITY): Promise<string[]> {
      const due = [...alarms.values()].filter((alarm) => alarm.scheduledTime <= now);
      for (const alarm of due) {
        if (alarm.periodInMinutes === undefined) alarms.delete(alarm.name);
        else alarms.set(alarm.name, { ...alarm, scheduledTime: alarm.scheduledTime + alarm.periodInMinutes * 60_000 });
        await onAlarm.emit({ ...alarm });
      }
      return due.map((alarm) => alarm.name);
    },
    /** Empties storage and alarms (a fresh profile); listeners stay registered. */
    reset() {
      session.clear();
      local.clear();
      alarms.clear();
    },
  };
}
