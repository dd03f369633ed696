import type { UserError } from '../core/errors.ts';
import type { NameRule } from '../core/name-rule.ts';
import type { PageClient } from '../core/page-client.ts';
import type { SiteToken } from '../core/token.ts';

export type SiteId = 'gooddata';

/** The signed-in user as the site reports them. */
export interface SiteUser {
  /** The id the site's API uses for this user. */
  id: string;
  /** For display: the person's name, or the id when the site has none. */
  name: string;
  /** Organisation or tenant, for display. */
  org?: string;
  /** Why this user cannot mint here (a missing permission); absent when they can. */
  cannotMint?: UserError;
}

/** What a probe learnt from the tab's origin. */
export type Probe =
  | { kind: 'signed-in'; user: SiteUser }
  | { kind: 'signed-out'; reason?: UserError }
  | { kind: 'not-this-site' };

export interface MintInput {
  name: string;
}

export interface Minted {
  /** The site's id of the new token (for revoke). */
  id: string;
  name: string;
  secret: string;
}

export interface Site {
  readonly id: SiteId;
  /** Product name shown to the user. */
  readonly name: string;
  /** Host names that are this site for sure; tried before the other probes. */
  readonly knownHosts: readonly RegExp[];
  /** Absent on sites whose tokens have no name. */
  readonly nameRule?: NameRule;
  loginUrl(origin: string): string;
  /** Cheap and unambiguous: answers `not-this-site` for anything that is not clearly this product. */
  probe(client: PageClient): Promise<Probe>;
  mint(client: PageClient, user: SiteUser, input: MintInput): Promise<Minted>;
  list(client: PageClient, user: SiteUser): Promise<SiteToken[]>;
  revoke(client: PageClient, user: SiteUser, tokenId: string): Promise<void>;
  /** Calls the site's who-am-I with the credential alone (no cookies): the id of the user it acts as, or null. */
  verify(client: PageClient, secret: string): Promise<string | null>;
  /** The header a client sends the credential in. */
  authHeader(secret: string): { name: string; value: string };
}
