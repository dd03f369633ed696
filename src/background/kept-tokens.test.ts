import { beforeEach, describe, expect, test, vi } from 'vitest';
import { sha256Hex } from '../core/digest.ts';
import { fakeBrowser } from '../../test/unit/fake-browser.ts';
import { revealFixture } from '../../test/unit/reveal-fixture.ts';

const browser = vi.hoisted(() => ({ current: undefined as ReturnType<typeof fakeBrowser> | undefined }));
vi.mock('webextension-polyfill', () => ({
  default: new Proxy({}, { get: (_, key) => browser.current?.[key as 'storage'] }),
}));
// The vault behind kept-tokens.ts registers browser listeners when loaded: the fake must exist first.
const fake = fakeBrowser();
browser.current = fake;
const { keepReveal, keptByDigest, keptFor, keptToken, forgetKept } = await import('./kept-tokens.ts');

const reveal = (id: string, secret: string, origin = 'https://a.test') => revealFixture(id, secret, origin);

beforeEach(() => {
  fake.reset();
});

describe('kept tokens', () => {
  test('are kept per origin and site, in session storage only', async () => {
    await keepReveal(reveal('1', 'secret-one-0123456789'));
    await keepReveal(reveal('2', 'secret-two-0123456789', 'https://b.test'));
    expect((await keptFor('https://a.test', 'gooddata')).map((token) => token.id)).toEqual(['1']);
    expect((await keptFor('https://a.test', 'cds')).map((token) => token.id)).toEqual([]);
    expect([...fake.session.keys()].sort()).toEqual(['kept:1', 'kept:2']);
    expect(fake.local.size).toBe(0);
    await forgetKept('1');
    expect(await keptFor('https://a.test', 'gooddata')).toEqual([]);
  });

  test('are listed with a masked preview and without their secret', async () => {
    const kept = await keepReveal(reveal('1', 'secret-one-0123456789'), { scopes: ['read'], expiresAt: '2027-01-01T00:00:00.000Z' });
    const listed = await keptFor('https://a.test', 'gooddata');
    expect(listed).toEqual([kept]);
    expect(listed[0]).toEqual({
      id: '1',
      siteId: 'gooddata',
      siteName: 'GoodData',
      origin: 'https://a.test',
      tokenId: 'token-1',
      name: 'token-1',
      createdAt: 1,
      preview: 'secr…6789',
      scopes: ['read'],
      expiresAt: '2027-01-01T00:00:00.000Z',
    });
    expect(JSON.stringify(listed)).not.toContain('secret-one-0123456789');
  });

  test('give their secret and header line when used', async () => {
    await keepReveal(reveal('1', 'secret-one-0123456789'));
    expect(await keptToken('1')).toMatchObject({ secret: 'secret-one-0123456789', header: 'Authorization: Bearer secret-one-0123456789' });
    expect(await keptToken('2')).toBeUndefined();
  });

  test('are found by the digest of their secret, and by nothing else', async () => {
    await keepReveal(reveal('1', 'secret-one-0123456789'));
    const answer = await keptByDigest([
      await sha256Hex('secret-one-0123456789'),
      await sha256Hex('Bearer secret-one-0123456789'),
      await sha256Hex('secret-one-012345678'),
    ]);
    expect(answer).toEqual(['token-1', null, null]);
  });
});
