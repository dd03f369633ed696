/**
 * The slice of webextension-polyfill the background's pure logic touches, in memory, for `vi.mock`. The real
 * polyfill refuses to load outside an extension.
 */
export function fakeBrowser() {
  const session = new Map<string, unknown>();
  const area = {
    async get(keys: string | null) {
      if (keys === null) return Object.fromEntries(session);
      return session.has(keys) ? { [keys]: structuredClone(session.get(keys)) } : {};
    },
    async set(items: Record<string, unknown>) {
      for (const [key, value] of Object.entries(items)) session.set(key, structuredClone(value));
    },
    async remove(key: string) {
      session.delete(key);
    },
  };
  return { storage: { session: area }, session };
}
