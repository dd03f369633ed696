import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { PageClient } from '../../src/core/page-client.ts';
import { sites } from '../../src/sites/index.ts';
import { html, json, startSite, type Reply, type Site } from '../sites/harness.ts';
import { emulatedSites } from '../sites/index.ts';
import { nodePageClient } from './node-page-client.ts';

/**
 * Every adapter's probe against every emulated site, signed in and signed out: a site is claimed by its own adapter
 * only. A misfire here would offer the wrong token form on a real site.
 */

interface Target {
  siteId: string;
  state: 'signed in' | 'signed out';
  client: PageClient;
}

const running: Site[] = [];
const targets: Target[] = [];

/** Origins that answer every path alike: nothing may take them for a known product. */
const decoys: Record<string, Reply> = {
  'a web page everywhere': html(200, '<!doctype html><title>App</title><form><input name="csrf_token" value="x"></form>'),
  'an empty JSON object everywhere': json(200, {}),
  'a JSON 401 everywhere': json(401, { message: 'Unauthorized' }),
};

beforeAll(async () => {
  for (const emulated of emulatedSites) {
    const site = await emulated.demo.start(0);
    running.push(site);
    const [login] = emulated.demo.logins;
    const cookie = await emulated.signIn(site, login.user, login.password);
    targets.push({ siteId: emulated.demo.id, state: 'signed in', client: nodePageClient(site.origin, cookie) });
    targets.push({ siteId: emulated.demo.id, state: 'signed out', client: nodePageClient(site.origin) });
  }
  for (const [name, reply] of Object.entries(decoys)) {
    const site = await startSite(() => reply);
    running.push(site);
    targets.push({ siteId: name, state: 'signed out', client: nodePageClient(site.origin) });
  }
});

afterAll(() => Promise.all(running.map((site) => site.close())));

describe('recognition matrix', () => {
  test('covers every adapter with an emulated site', () => {
    expect(emulatedSites.map((emulated) => emulated.demo.id).sort()).toEqual(sites.map((site) => site.id).sort());
  });

  test.each(sites.map((adapter) => [adapter.id, adapter] as const))('%s claims its own site and no other', async (id, adapter) => {
    for (const target of targets) {
      const probe = await adapter.probe(target.client);
      const expected = target.siteId !== id ? 'not-this-site' : target.state === 'signed in' ? 'signed-in' : 'signed-out';
      expect(probe.kind, `${id} on ${target.siteId} ${target.state}`).toBe(expected);
    }
  });
});
