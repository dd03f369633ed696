import { describe, expect, test } from 'vitest';
import { credentialsIn, type HarEntry } from './credential-headers.ts';

const bearer = 'ZGVtbzpjaS1ib3Q6WFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWA==';

function entry(headers: [string, string][], url = 'https://acme.test/api/v1/profile?token=secret-in-query'): HarEntry {
  return { request: { method: 'GET', url, headers: headers.map(([name, value]) => ({ name, value })) } };
}

describe('credentialsIn', () => {
  test('finds credential headers whatever their case, and masks them', () => {
    const seen = credentialsIn(entry([['Authorization', `Bearer ${bearer}`], ['x-auth-token', 'a'.repeat(64)], ['Accept', 'application/json']]));
    expect(seen.map(({ header, masked }) => [header, masked])).toEqual([
      ['Authorization', 'ZGVt…WA=='],
      ['x-auth-token', 'aaaa…aaaa'],
    ]);
  });

  test('looks up the value with and without its scheme', () => {
    expect(credentialsIn(entry([['authorization', `Bearer ${bearer}`]]))[0]?.candidates).toEqual([`Bearer ${bearer}`, bearer]);
    expect(credentialsIn(entry([['authorization', 'token abcdef0123456789:fedcba9876543210']]))[0]?.candidates).toEqual([
      'token abcdef0123456789:fedcba9876543210',
      'abcdef0123456789:fedcba9876543210',
    ]);
    expect(credentialsIn(entry([['x-api-key', 'k'.repeat(20)]]))[0]?.candidates).toEqual(['k'.repeat(20)]);
  });

  test('says where without the query string, and keeps no value in what is shown', () => {
    const [seen] = credentialsIn(entry([['Authorization', `Bearer ${bearer}`]]));
    expect(seen?.where).toBe('GET acme.test/api/v1/profile');
    expect(JSON.stringify({ where: seen?.where, header: seen?.header, masked: seen?.masked })).not.toContain(bearer);
  });

  test('ignores empty and non-credential headers', () => {
    expect(credentialsIn(entry([['Authorization', '  '], ['Cookie', 'sid=abc'], ['X-XSRF-TOKEN', 'abc']]))).toEqual([]);
  });
});
