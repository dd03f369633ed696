import browser from 'webextension-polyfill';

/**
 * Typed access to `storage.session`: kept in memory by the browser, never written to disk, gone when the browser
 * closes, and (by default) out of reach of content scripts. Each record has its own key so that two jobs never
 * overwrite each other's read-modify-write.
 */
export function sessionRecords<T>(prefix: string) {
  const key = (id: string) => `${prefix}:${id}`;
  return {
    async get(id: string): Promise<T | undefined> {
      const found = await browser.storage.session.get(key(id));
      return found[key(id)] as T | undefined;
    },
    async put(id: string, value: T): Promise<void> {
      await browser.storage.session.set({ [key(id)]: value });
    },
    async remove(id: string): Promise<void> {
      await browser.storage.session.remove(key(id));
    },
    async all(): Promise<T[]> {
      const everything = await browser.storage.session.get(null);
      return Object.entries(everything)
        .filter(([name]) => name.startsWith(`${prefix}:`))
        .map(([, value]) => value as T);
    },
  };
}
