import { describe, expect, it } from 'vitest';
import { SiteError } from '../../core/errors.ts';
import { expiryValue, fillForm, fillJson, fillPath, isSafePath, placeholdersIn } from './template.ts';

describe('fillPath', () => {
  it('puts each value in as one encoded path segment', () => {
    expect(fillPath('/users/{userId}/tokens/{tokenId}?x={userName}', { userId: 'a b/c', tokenId: 7, userName: 'Jané&x=1' }, 'X')).toBe(
      '/users/a%20b%2Fc/tokens/7?x=Jan%C3%A9%26x%3D1',
    );
  });

  it('turns a lone surrogate into U+FFFD instead of throwing', () => {
    expect(fillPath('/u/{userId}', { userId: 'a\uD800' }, 'X')).toBe('/u/a%EF%BF%BD');
  });

  it.each(['.', '..', ''])('refuses the value %j, which the URL parser would take for a dot segment or drop', (userId) => {
    expect(() => fillPath('/u/{userId}/t', { userId }, 'Forge')).toThrow(SiteError);
  });

  it('refuses an unsafe template whatever checked it before', () => {
    expect(() => fillPath('//evil.example/{userId}', { userId: 'a' }, 'Forge')).toThrow(
      'The Forge recipe names a request that would leave the site’s own paths, so Tokenmint did not send it.',
    );
  });
});

describe('isSafePath', () => {
  it.each(['/', '/api/v1/user', '/a/b?c=d&e=../f', '/a/.well-known', '/a/...'])('%s is a path', (path) => {
    expect(isSafePath(path)).toBe(true);
  });
  it.each(['', 'api', '//host/x', 'https://h/x', '/a/../b', '/a/./b', '/a/%2e%2E/b', '/a/.%2e', '/a\\b', '/a#b', '/a b', '/a\tb', '/a\u0000'])(
    '%j is not',
    (path) => {
      expect(isSafePath(path)).toBe(false);
    },
  );
});

describe('fillJson', () => {
  const values = { name: 'ci "x"', scopes: ['a', 'b'], expiresAt: 86_400, userId: 'jane' };

  it('gives a lone placeholder its own type, and text inside text', () => {
    expect(fillJson({ n: '{name}', s: '{scopes}', e: '{expiresAt}', t: 'for {userId}: {scopes}', k: [1, true, null] }, values, ' ')).toEqual({
      n: 'ci "x"',
      s: ['a', 'b'],
      e: 86_400,
      t: 'for jane: a b',
      k: [1, true, null],
    });
  });

  it('leaves out what has no value', () => {
    const body = fillJson({ e: '{expiresAt}', list: ['{expiresAt}', 'x'] }, { name: 'n' }, ',');
    expect(JSON.stringify(body)).toBe('{"list":["x"]}');
  });

  it('never reads a placeholder off the object prototype', () => {
    expect(fillJson('{constructor}', {}, ',')).toBeUndefined();
    expect(fillJson('a{toString}b', {}, ',')).toBe('ab');
  });
});

describe('fillForm', () => {
  it('encodes each field and repeats a list', () => {
    expect(fillForm({ name: '{name}', 'scope[]': '{scopes}', note: 'a&b={userId}', e: '{expiresAt}' }, { name: 'x y', scopes: ['a', 'b'], userId: 'u' }, ',')).toBe(
      'name=x+y&scope%5B%5D=a&scope%5B%5D=b&note=a%26b%3Du',
    );
  });
});

describe('expiryValue', () => {
  const now = Date.UTC(2026, 0, 1, 12, 0, 0);
  it.each([
    ['days', 30],
    ['seconds', 30 * 86_400],
    ['unix', Date.UTC(2026, 0, 31, 12) / 1000],
    ['unix-ms', Date.UTC(2026, 0, 31, 12)],
    ['date', '2026-01-31'],
    ['iso', '2026-01-31T12:00:00.000Z'],
  ] as const)('%s', (format, value) => {
    expect(expiryValue(format, 30, now)).toBe(value);
  });
});

it('placeholdersIn names each placeholder', () => {
  expect(placeholdersIn('/a/{userId}/{tokenId}{x}')).toEqual(['userId', 'tokenId', 'x']);
});
