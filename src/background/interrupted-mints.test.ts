import { beforeEach, describe, expect, test, vi } from 'vitest';
import type { PageClient } from '../core/page-client.ts';
import type { Site, SiteUser } from '../sites/types.ts';
import { fakeBrowser } from '../../test/unit/fake-browser.ts';

const browser = vi.hoisted(() => ({ current: undefined as ReturnType<typeof fakeBrowser> | undefined }));
vi.mock('webextension-polyfill', () => ({
  default: new Proxy({}, { get: (_, key) => browser.current?.[key as 'storage'] }),
}));
const { interruptedMintNotice } = await import('./interrupted-mints.ts');

const origin = 'https://a.test';
const started = Date.UTC(2026, 10, 22, 12);
const user: SiteUser = { id: 'demo', name: 'Demo' };
const client = { origin } as PageClient;

function site(listed: string[] | Error): Site {
  const list = async () => {
    if (listed instanceof Error) throw listed;
    return listed.map((name) => ({ id: name, name }));
  };
  return { name: 'GoodData', list } as unknown as Site;
}

async function leftBehind(name: string): Promise<void> {
  await browser.current!.storage.session.set({ 'job:j1': { id: 'j1', name, tabId: 1, origin, siteId: 'gooddata', startedAt: started } });
}

const jobKept = () => browser.current!.session.has('job:j1');

beforeEach(() => {
  browser.current = fakeBrowser();
});

describe('interruptedMintNotice', () => {
  test('nothing left behind: no notice', async () => {
    expect(await interruptedMintNotice(site([]), client, user, started)).toBeUndefined();
  });

  test('made: orphaned, with the way to revoke, said once', async () => {
    await leftBehind('ci');
    const notice = await interruptedMintNotice(site(['ci']), client, user, started + 1_000);
    expect(notice).toMatchObject({ code: 'orphaned', sentence: expect.stringContaining('GoodData made it') });
    expect(notice?.next).toContain('Revoke “ci”');
    expect(jobKept()).toBe(false);
  });

  test('not listed while the create may still land: "not yet", and asked again next time', async () => {
    await leftBehind('ci');
    const notice = await interruptedMintNotice(site([]), client, user, started + 10_000);
    expect(notice?.sentence).toContain('has not made it yet');
    expect(jobKept()).toBe(true);
  });

  test('not listed once the create is past its time limit: not made, said once', async () => {
    await leftBehind('ci');
    const notice = await interruptedMintNotice(site([]), client, user, started + 60_000);
    expect(notice).toMatchObject({ sentence: expect.stringContaining('did not make it'), next: 'Generate it again.' });
    expect(jobKept()).toBe(false);
  });

  test('no list to look in: "may have made it", asked again until the time limit is past', async () => {
    await leftBehind('ci');
    expect((await interruptedMintNotice(site(new Error('down')), client, user, started + 1_000))?.sentence).toContain('may have made it');
    expect(jobKept()).toBe(true);
    await interruptedMintNotice(site(new Error('down')), client, user, started + 60_000);
    expect(jobKept()).toBe(false);
  });

  test('a token without a name cannot be looked for: said once', async () => {
    await leftBehind('');
    expect((await interruptedMintNotice(site([]), client, user, started + 1_000))?.sentence).toContain('making a token; GoodData may have made it');
    expect(jobKept()).toBe(false);
  });
});
