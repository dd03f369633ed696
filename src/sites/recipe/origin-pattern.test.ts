import { describe, expect, it } from 'vitest';
import { isOriginPattern, matchesOrigin, permissionFor } from './origin-pattern.ts';

describe('origin patterns', () => {
  it.each([
    ['https://git.example.com', 'https://git.example.com', true],
    ['https://git.example.com', 'https://git.example.com:8443', true],
    ['https://git.example.com', 'http://git.example.com', false],
    ['https://git.example.com', 'https://git.example.com.evil.example', false],
    ['https://*.example.com', 'https://a.b.example.com', true],
    ['https://*.example.com', 'https://example.com', false],
    ['https://*.example.com', 'https://evilexample.com', false],
    ['*://git.example.com', 'http://git.example.com', true],
    ['http://127.0.0.1:4310', 'http://127.0.0.1:4310', true],
    ['http://127.0.0.1:4310', 'http://127.0.0.1:4311', false],
    ['https://h.example:443', 'https://h.example', true],
    ['http://[::1]', 'http://[::1]:3000', true],
    ['*://*', 'https://anything.example', false],
    ['https://git.example.com', 'not a url', false],
    ['https://git.example.com', 'file:///etc', false],
  ])('%s matches %s: %s', (pattern, origin, matches) => {
    expect(matchesOrigin(pattern, origin)).toBe(matches);
  });

  it.each(['<all_urls>', '*://*/*', '*://*', 'https://*', 'https://*.com', 'https://*.*.com', 'https://a.example/', 'https://a.example:0', 'https://a.example:70000', 'HTTPS://A.example', 'ws://a.example'])(
    '%j is refused',
    (pattern) => {
      expect(isOriginPattern(pattern)).toBe(false);
      expect(permissionFor(pattern)).toBeNull();
    },
  );

  it('asks for the host on any port, as match patterns have no ports', () => {
    expect(permissionFor('https://*.example.com')).toBe('https://*.example.com/*');
    expect(permissionFor('*://git.example.com:8443')).toBe('*://git.example.com/*');
  });
});
