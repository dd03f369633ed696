import type { Reveal } from '../../src/core/token.ts';

/** A GoodData reveal as a mint leaves it, for tests of what keeps and seals revealed tokens. */
export function revealFixture(id: string, secret: string, origin = 'https://a.test', createdAt = 1): Reveal {
  return {
    id,
    siteId: 'gooddata',
    siteName: 'GoodData',
    origin,
    name: `token-${id}`,
    tokenId: `token-${id}`,
    secret,
    shownOnce: true,
    owner: 'Demo',
    createdAt,
    header: `Authorization: Bearer ${secret}`,
  };
}
