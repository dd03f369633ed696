import { describe, expect, test } from 'vitest';
import { apiBaseOf, originOf, passphraseProblem, permissionPattern, wholeNumber, withOverride } from './form-rules.ts';

describe('options form rules', () => {
  test('a passphrase needs 8 characters and the same text twice', () => {
    expect(passphraseProblem('short', 'short')).toBe('Use at least 8 characters.');
    expect(passphraseProblem('long enough', 'long enougH')).toBe('The two passphrases differ.');
    expect(passphraseProblem('long enough', '')).toBe('The two passphrases differ.');
    expect(passphraseProblem('12345678', '12345678')).toBeNull();
  });

  test('whole numbers from 0 to a maximum', () => {
    expect(wholeNumber(' 0 ', 60)).toEqual({ value: 0 });
    expect(wholeNumber('60', 60)).toEqual({ value: 60 });
    expect(wholeNumber('61', 60)).toEqual({ problem: 'Use at most 60.' });
    for (const text of ['', '-1', '1.5', '1e3', 'ten']) expect(wholeNumber(text, 60)).toHaveProperty('problem');
  });

  test('an origin from what a person types', () => {
    expect(originOf('cds.example.com')).toEqual({ origin: 'https://cds.example.com' });
    expect(originOf('http://127.0.0.1:4302/some/page?x=1')).toEqual({ origin: 'http://127.0.0.1:4302' });
    expect(originOf('HTTPS://CDS.Example.com:443/')).toEqual({ origin: 'https://cds.example.com' });
    expect(originOf('ftp://example.com')).toEqual({ problem: 'Only http and https sites have overrides.' });
    for (const text of ['', 'https://', 'https://user:pw@example.com', 'http://exa mple.com']) {
      expect(originOf(text)).toHaveProperty('problem');
    }
  });

  test('a CDS API base path', () => {
    expect(apiBaseOf('')).toEqual({ base: '' });
    expect(apiBaseOf('/ui/cdsapi/')).toEqual({ base: '/ui/cdsapi' });
    expect(apiBaseOf('ui/cdsapi')).toEqual({ base: '/ui/cdsapi' });
    for (const text of ['/ui//cdsapi', '/ui/cds api', '/a?b', '/a#b', '/../cdsapi', '/a/./b', '/x/%2e']) expect(apiBaseOf(text)).toHaveProperty('problem');
  });

  test('the permission pattern covers the host on any port', () => {
    expect(permissionPattern('http://127.0.0.1:4302')).toBe('http://127.0.0.1/*');
    expect(permissionPattern('https://cds.example.com')).toBe('https://cds.example.com/*');
  });

  test('a rule for an origin that has one replaces it in place', () => {
    const a = { origin: 'https://a.example', siteId: 'cds', cdsApiBase: '' };
    const b = { origin: 'https://b.example', siteId: 'gooddata', cdsApiBase: '' };
    const a2 = { ...a, cdsApiBase: '/ui/cdsapi' };
    expect(withOverride([a], b)).toEqual([a, b]);
    expect(withOverride([a, b], a2)).toEqual([a2, b]);
  });
});
