import { describe, expect, test } from 'vitest';
import { mask, type KeptToken } from './token.ts';
import { mergeTokens } from './token-rows.ts';

const secret = 'ZGVtbzpjaS1ib3Q6WFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWA==';

function kept(id: string, tokenId: string, name = tokenId): KeptToken {
  return {
    id,
    siteId: 'gooddata',
    siteName: 'GoodData',
    origin: 'https://a.test',
    tokenId,
    name,
    preview: mask(secret),
    createdAt: Date.UTC(2026, 10, 22),
  };
}

describe('mergeTokens', () => {
  test('marks each token by where it lives, site order first, kept-only after', () => {
    const rows = mergeTokens(
      [
        { id: 'ci-bot', name: 'ci-bot', createdAt: '2026-11-01T00:00:00Z', scopes: ['Project'] },
        { id: 'laptop', name: 'laptop' },
      ],
      [kept('k1', 'laptop'), kept('k2', 'revoked-elsewhere')],
    );
    expect(rows.map((row) => [row.name, row.where, row.tokenId, row.keptId])).toEqual([
      ['ci-bot', 'site', 'ci-bot', undefined],
      ['laptop', 'both', 'laptop', 'k1'],
      ['revoked-elsewhere', 'vault', 'revoked-elsewhere', 'k2'],
    ]);
    expect(rows[0]).toMatchObject({ createdAt: '2026-11-01T00:00:00Z', scopes: ['Project'] });
    expect(rows[2]?.createdAt).toBe('2026-11-22T00:00:00.000Z');
  });

  test('keys are unique even when a site id and a kept id coincide', () => {
    const rows = mergeTokens([{ id: 'x', name: 'x' }], [kept('x', 'y')]);
    expect(new Set(rows.map((row) => row.key)).size).toBe(2);
  });

  test('shows kept tokens only as a masked preview, never in full', () => {
    const rows = mergeTokens([{ id: 'laptop', name: 'laptop' }], [kept('k1', 'laptop'), kept('k2', 'gone')]);
    expect(rows.map((row) => row.preview)).toEqual(['ZGVt…WA==', 'ZGVt…WA==']);
    expect(JSON.stringify(rows)).not.toContain(secret);
  });

  test('scopes and expiry known when a token was kept fill in what the site does not say', () => {
    const known = { ...kept('k1', 'laptop'), scopes: ['read'], expiresAt: '2027-01-01T00:00:00.000Z' };
    const gone = { ...kept('k2', 'gone'), scopes: ['write'], expiresAt: '2027-02-01T00:00:00.000Z' };
    const rows = mergeTokens([{ id: 'laptop', name: 'laptop', scopes: ['admin'] }], [known, gone]);
    expect(rows.map((row) => [row.scopes, row.expiresAt])).toEqual([
      [['admin'], '2027-01-01T00:00:00.000Z'],
      [['write'], '2027-02-01T00:00:00.000Z'],
    ]);
  });

  test('with no site list (signed out, or it failed), the kept tokens still show', () => {
    expect(mergeTokens(null, [kept('k1', 'laptop')]).map((row) => row.where)).toEqual(['vault']);
    expect(mergeTokens(null, [])).toEqual([]);
  });
});
