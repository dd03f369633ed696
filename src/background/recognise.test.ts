import { afterAll, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';
import type { PageClient } from '../core/page-client.ts';
import type { PageRequest } from '../core/page-request.ts';
import { signIn, startGoodData, type GoodDataSite } from '../../test/sites/gooddata.ts';
import { html, startSite, type Site } from '../../test/sites/harness.ts';
import { fakeBrowser } from '../../test/unit/fake-browser.ts';
import { nodePageClient } from '../../test/unit/node-page-client.ts';

const browser = vi.hoisted(() => ({ current: undefined as ReturnType<typeof fakeBrowser> | undefined }));
vi.mock('webextension-polyfill', () => ({
  default: new Proxy({}, { get: (_, key) => browser.current?.[key as 'storage'] }),
}));
const { recognise } = await import('./recognise.ts');

let gooddata: GoodDataSite;
let plain: Site;

beforeAll(async () => {
  [gooddata, plain] = await Promise.all([startGoodData(), startSite(() => html(200, '<!doctype html><p>Hello'))]);
});
afterAll(() => Promise.all([gooddata.close(), plain.close()]));
beforeEach(() => {
  browser.current = fakeBrowser();
});

/** A client that counts what it sends. */
function counting(client: PageClient): PageClient & { sent: PageRequest[] } {
  const sent: PageRequest[] = [];
  return { origin: client.origin, sent, request: (request) => (sent.push(request), client.request(request)) };
}

describe('recognise', () => {
  test('a known site is asked once more on the next popup, with one request', async () => {
    const client = counting(nodePageClient(gooddata.origin, await signIn(gooddata, 'demo', 'demo123')));
    const first = await recognise(client);
    expect(first?.site.id).toBe('gooddata');
    expect(first?.probe).toMatchObject({ kind: 'signed-in', user: { id: 'demo' } });
    client.sent.length = 0;
    expect((await recognise(client))?.site.id).toBe('gooddata');
    expect(client.sent.map((request) => request.path)).toEqual(['/api/v1/profile']);
  });

  test('a signed-out site is still recognised', async () => {
    const found = await recognise(nodePageClient(gooddata.origin));
    expect(found?.site.id).toBe('gooddata');
    expect(found?.probe.kind).toBe('signed-out');
  });

  test('an unknown site costs one round of probes, then nothing until the memory expires', async () => {
    const client = counting(nodePageClient(plain.origin));
    const start = Date.now();
    expect(await recognise(client, start)).toBeNull();
    const probes = client.sent.length;
    expect(probes).toBeGreaterThan(0);
    expect(probes).toBeLessThanOrEqual(10);
    expect(await recognise(client, start + 60_000)).toBeNull();
    expect(client.sent).toHaveLength(probes);
    expect(await recognise(client, start + 11 * 60_000)).toBeNull();
    expect(client.sent).toHaveLength(2 * probes);
  });

  test('a site that cannot be reached is an error, not "unsupported", and is not remembered', async () => {
    const closed = await startSite(() => html(200, ''));
    await closed.close();
    await expect(recognise(nodePageClient(closed.origin))).rejects.toMatchObject({ user: { code: 'network' } });
    expect(browser.current?.session.size).toBe(0);
  });
});
