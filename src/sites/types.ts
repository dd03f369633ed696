import type { UserError } from '../core/errors.ts';
import type { NameRule } from '../core/name-rule.ts';
import type { PageClient } from '../core/page-client.ts';
import type { PageRequest } from '../core/page-request.ts';
import type { SiteToken } from '../core/token.ts';

export type BuiltInSiteId = 'gooddata' | 'cds' | 'frappe' | 'zenodo' | 'insightio';

/** A built-in adapter, or a user-defined site recipe (`recipe:<id>`, src/sites/recipe/). */
export type SiteId = BuiltInSiteId | `recipe:${string}`;

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

/** One tickable option of the form: a scope or a group. */
export interface Choice {
  /** What the site's API takes (a scope id, a group id). */
  id: string;
  /** The checkbox's accessible name: exactly the scope id for scopes, the group name for groups. */
  label: string;
  /** One line of help shown beside it. */
  description?: string;
}

/** The parts of the mint form a site asks for beyond the token name; read from the site when the popup opens. */
export interface FormSpec {
  description?: { maxLength: number };
  scopes?: { choices: Choice[]; defaults: string[]; atLeastOne: boolean };
  /** Groups the token may act for; none ticked means all of the user's groups. */
  groups?: { choices: Choice[] };
  expiresInDays?: { min: number; max: number; default: number };
  /** Present when minting replaces the user's existing credential (Frappe): the user must agree first. */
  replaces?: { sentence: string };
}

export interface MintInput {
  /** Empty on sites whose tokens have no name. */
  name: string;
  description: string;
  /** Scope ids, from FormSpec.scopes. */
  scopes: string[];
  /** Group ids, from FormSpec.groups. */
  groups: string[];
  expiresInDays: number | null;
  /** The user agreed to replace the existing credential. */
  replace: boolean;
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
  /** The site lists its tokens with their full values, so a secret is not lost once the popup lets go of it. */
  readonly listsSecrets?: true;
  loginUrl(origin: string): string;
  /** What the mint form offers this user (scopes, groups, expiry, …); absent when a name is all a token has. */
  form?(client: PageClient, user: SiteUser): Promise<FormSpec>;
  /** Cheap and unambiguous: answers `not-this-site` for anything that is not clearly this product. */
  probe(client: PageClient): Promise<Probe>;
  mint(client: PageClient, user: SiteUser, input: MintInput): Promise<Minted>;
  list(client: PageClient, user: SiteUser): Promise<SiteToken[]>;
  revoke(client: PageClient, user: SiteUser, tokenId: string): Promise<void>;
  /** Calls the site's who-am-I with the credential alone (no cookies): the id of the user it acts as, or null. */
  verify(client: PageClient, secret: string): Promise<string | null>;
  /**
   * The who-am-I request `verify` makes with the credential alone (`credentials: 'omit'`), as data: the panel shows it
   * as a `curl` command a user can run.
   */
  checkRequest(secret: string): PageRequest;
  /** The environment variable a `.env` line names, e.g. `GOODDATA_API_TOKEN`. */
  readonly envName: string;
  /** Replaces a token's secret and returns the new credential (CDS); absent where the site cannot. */
  regenerate?(client: PageClient, user: SiteUser, tokenId: string): Promise<Minted>;
  /** The header a client sends the credential in; absent where the credential is not sent as a header. */
  authHeader?(secret: string): { name: string; value: string };
}

/** A mint input with nothing chosen but what is given: for callers that know only some fields. */
export function mintInput(given: Partial<MintInput>): MintInput {
  return { name: '', description: '', scopes: [], groups: [], expiresInDays: null, replace: false, ...given };
}
