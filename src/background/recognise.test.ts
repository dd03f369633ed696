import { afterAll, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';
import type { PageClient } from '../core/page-client.ts';
import type { PageRequest } from '../core/page-request.ts';
import { DEFAULT_SETTINGS, type SiteOverride } from '../core/settings.ts';
import { cds } from '../sites/cds.ts';
import { gooddata as gooddataSite } from '../sites/gooddata.ts';
import { signIn as signInCds, startCds, type CdsSite } from '../../test/sites/cds.ts';
import { signIn, startGoodData, type GoodDataSite } from '../../test/sites/gooddata.ts';
import { html, startSite, type Site } from '../../test/sites/harness.ts';
import { fakeBrowser } from '../../test/unit/fake-browser.ts';
import { nodePageClient } from '../../test/unit/node-page-client.ts';

const browser = vi.hoisted(() => ({ current: undefined as ReturnType<typeof fakeBrowser> | undefined }));
vi.mock('webextension-polyfill', () => ({
  default: new Proxy({}, { get: (_, key) => browser.current?.[key as 'storage'] }),
}));
const { adapterFor, recognise, signedInUser, siteFor } = await import('./recognise.ts');

let gooddata: GoodDataSite;
let cdsSite: CdsSite;
let plain: Site;

beforeAll(async () => {
  [gooddata, cdsSite, plain] = await Promise.all([
    startGoodData(),
    startCds(),
    startSite(() => html(200, '<!doctype html><p>Hello')),
  ]);
});
afterAll(() => Promise.all([gooddata.close(), cdsSite.close(), plain.close()]));
beforeEach(() => {
  browser.current = fakeBrowser();
});

/** Saves the overrides as the options page does. */
async function override(...overrides: SiteOverride[]): Promise<void> {
  await browser.current?.storage.local.set({ settings: { ...DEFAULT_SETTINGS, overrides } });
}

/** A client on `origin` whose requests reach `target` instead, with `/ui/cdsapi` served as CDS's `/cdsapi` (as a proxy would). */
function proxied(origin: string, target: PageClient): PageClient & { sent: PageRequest[] } {
  const sent: PageRequest[] = [];
  return {
    origin,
    sent,
    request(request) {
      sent.push(request);
      return target.request({ ...request, path: request.path.replace(/^\/ui\/cdsapi\//, '/cdsapi/') });
    },
  };
}

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

describe('site overrides', () => {
  const UI_BASE = '/ui/cdsapi';

  test('siteFor: the registry adapter unless the origin has CDS under another API base', async () => {
    expect(await siteFor('https://cds.example.com', 'cds')).toBe(cds);
    expect(await siteFor('https://cds.example.com', 'gooddata')).toBe(gooddataSite);
    expect(await siteFor('https://cds.example.com', 'nope')).toBeUndefined();

    await override({ origin: 'https://cds.example.com', siteId: 'cds', cdsApiBase: UI_BASE });
    const custom = await siteFor('https://cds.example.com', 'cds');
    expect(custom?.id).toBe('cds');
    expect(custom?.loginUrl('https://cds.example.com')).toBe('https://cds.example.com/ui/auth/signin');
    expect(custom?.checkRequest('secret').path).toBe(`${UI_BASE}/auth/consumer/builtin/signin`);
    // One adapter per base, so a site recognised once is the same site when the popup mints on it.
    expect(await siteFor('https://cds.example.com', 'cds')).toBe(custom);
    // Another origin, another adapter, or the default base: the registry's own.
    expect(await siteFor('https://other.example.com', 'cds')).toBe(cds);
    expect(await siteFor('https://cds.example.com', 'gooddata')).toBe(gooddataSite);
    expect(adapterFor('cds', { cdsApiBase: '/cdsapi' })).toBe(cds);
    expect(adapterFor('cds', { cdsApiBase: '' })).toBe(cds);
  });

  test('a CDS served under another API base is recognised there, and only that adapter is asked', async () => {
    const origin = 'https://cds.example.com';
    const client = proxied(origin, nodePageClient(cdsSite.origin, await signInCds(cdsSite, 'jdoe', 'jdoe123')));
    // Without the override nothing answers under /cdsapi on that host.
    const plainClient = proxied(origin, nodePageClient(plain.origin));
    expect(await recognise(plainClient)).toBeNull();

    await override({ origin, siteId: 'cds', cdsApiBase: UI_BASE });
    const found = await recognise(client);
    expect(found?.site.id).toBe('cds');
    expect(found?.probe).toMatchObject({ kind: 'signed-in', user: { id: 'jdoe' } });
    expect(client.sent.map((request) => request.path)).toEqual([`${UI_BASE}/auth/me`]);
    expect(found?.site).toBe(await siteFor(origin, 'cds'));
    expect((await signedInUser(client, found!.site)).id).toBe('jdoe');
  });

  test('an override wins over the remembered site and over the known host names', async () => {
    // Remembered: this origin is GoodData.
    const client = counting(nodePageClient(gooddata.origin, await signIn(gooddata, 'demo', 'demo123')));
    expect((await recognise(client))?.site.id).toBe('gooddata');
    await override({ origin: gooddata.origin, siteId: 'cds', cdsApiBase: '' });
    client.sent.length = 0;
    // Only the forced adapter is asked, and its "not me" is said plainly rather than falling back.
    await expect(recognise(client)).rejects.toMatchObject({
      user: {
        code: 'unexpected-response',
        sentence: `${new URL(gooddata.origin).host} does not answer as CDS under /cdsapi, though a site override in Tokenmint’s options says it is.`,
      },
    });
    expect(client.sent.every((request) => request.path.startsWith('/cdsapi/'))).toBe(true);

    // A GoodData Cloud host name, but the override says CDS: the GoodData probe is never sent.
    const cloud = 'https://acme.cloud.gooddata.com';
    const onCloud = proxied(cloud, nodePageClient(cdsSite.origin, await signInCds(cdsSite, 'jdoe', 'jdoe123')));
    await override({ origin: cloud, siteId: 'cds', cdsApiBase: '' });
    expect((await recognise(onCloud))?.site).toBe(cds);
    expect(onCloud.sent.map((request) => request.path)).toEqual(['/cdsapi/auth/me']);
  });

  test('"Recognise automatically" keeps recognising, with CDS under the override\'s base', async () => {
    const origin = 'https://cds.example.com';
    const client = proxied(origin, nodePageClient(cdsSite.origin, await signInCds(cdsSite, 'jdoe', 'jdoe123')));
    await override({ origin, siteId: '', cdsApiBase: UI_BASE });
    const found = await recognise(client);
    expect(found?.site.id).toBe('cds');
    expect(found?.site.loginUrl(origin)).toBe(`${origin}/ui/auth/signin`);
    expect(client.sent.map((request) => request.path)).toContain(`${UI_BASE}/auth/me`);
    expect(client.sent.map((request) => request.path)).not.toContain('/cdsapi/auth/me');
  });

  test('an override for another origin changes nothing here', async () => {
    await override({ origin: 'https://elsewhere.example.com', siteId: 'cds', cdsApiBase: '' });
    expect((await recognise(nodePageClient(gooddata.origin)))?.site.id).toBe('gooddata');
  });
});
