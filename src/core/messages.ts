import type { NameRule } from './name-rule.ts';
import type { FormSpec, MintInput } from '../sites/types.ts';
import type { UserError } from './errors.ts';
import type { CopyFormat } from './copy-formats.ts';
import type { Settings, VaultStatus } from './settings.ts';
import type { Reveal } from './token.ts';
import type { TokenRow } from './token-rows.ts';
import type { Recipe } from '../sites/recipe/format.ts';
import type { FieldProblem } from '../sites/recipe/validate.ts';

/**
 * Every message the extension's pages send to the background, declared once: its payload, its answer, and the check
 * the background runs on the payload before acting on it.
 */

/** What the popup shows for a tab. */
export type TabState =
  | { status: 'no-page'; reveals: Reveal[] } // not a web page (new tab, chrome://, the store)
  | { status: 'unsupported'; origin: string; siteNames: string[]; reveals: Reveal[] }
  | { status: 'signed-out'; origin: string; site: SiteInfo; error: UserError; reveals: Reveal[] }
  | {
      status: 'ready';
      origin: string;
      site: SiteInfo;
      user: UserInfo;
      form: MintForm;
      /** A mint still running for this tab (the popup was closed and reopened meanwhile). */
      job?: JobInfo;
      /** Something the user must know from an earlier run, e.g. a mint cut short by a restart. */
      notice?: UserError;
      reveals: Reveal[];
    }
  | { status: 'failed'; origin: string; error: UserError; reveals: Reveal[] };

export interface SiteInfo {
  id: string;
  name: string;
}

export interface UserInfo {
  id: string;
  name: string;
  org?: string;
  /** Present when the user may not mint here. */
  cannotMint?: UserError;
}

export interface MintForm extends FormSpec {
  /** Absent on sites whose tokens have no name. */
  name?: { rule: NameRule; suggestion: string };
}

/** What the popup sends to mint: the tab and site it saw, and the form's values. */
export interface MintOrder extends MintInput {
  tabId: number;
  origin: string;
  siteId: string;
}

export interface JobInfo {
  id: string;
  name: string;
}

/** What the devtools panel shows for the inspected tab. */
export type PanelState =
  | { status: 'no-page' }
  /** The extension may not reach the tab's site: the panel offers "Allow on this site" for `origin` ('' unknown). */
  | { status: 'no-access'; origin: string }
  | { status: 'unsupported'; origin: string; siteNames: string[] }
  | {
      status: 'listed';
      origin: string;
      site: PanelSite;
      /** Absent when signed out: the rows are then the kept tokens only, and `error` says why. */
      user?: UserInfo;
      rows: TokenRow[];
      error?: UserError;
    }
  | { status: 'failed'; origin: string; error: UserError };

export interface PanelSite extends SiteInfo {
  canRegenerate: boolean;
  /** How a kept token of this site can be copied. */
  copyFormats: CopyFormat[];
}

export type Validity = 'valid' | 'invalid' | 'expired';

/** A request about one row of the panel, on the tab and site the panel shows. */
interface RowPayload {
  tabId: number;
  origin: string;
  siteId: string;
  /** The site's id of the token (for a kept one, the id it was minted with; '' where none is known). */
  tokenId: string;
  /** The extension's id of the kept token ('' when not kept). */
  keptId: string;
}

export interface Messages {
  'tab-state': { payload: { tabId: number }; answer: TabState };
  mint: { payload: MintOrder; answer: Reveal };
  'await-job': { payload: { jobId: string }; answer: Reveal };
  'end-reveal': { payload: { revealId: string }; answer: null };
  /** Save to vault: keeps the revealed token in the extension. */
  'keep-reveal': { payload: { revealId: string }; answer: { mode: VaultStatus['mode'] } };
  /** `claimedOrigin`: what the panel read of the inspected page ('' unknown), only to name it when access is missing. */
  'panel-state': { payload: { tabId: number; claimedOrigin: string }; answer: PanelState };
  /** Revokes on the site (when `tokenId`) and forgets the kept copy (when `keptId`). */
  revoke: { payload: RowPayload; answer: null };
  /** `expiresAt` of the row ('' unknown) tells an expired token from an invalid one. */
  verify: { payload: RowPayload & { expiresAt: string }; answer: { validity: Validity; user?: string } };
  /** Copies a kept token in `format` through the background, like `copy`; `clearsAt` as there. */
  'copy-as': { payload: { keptId: string; format: string }; answer: { clearsAt: number | null } };
  /**
   * Which kept tokens the panel saw in the page's traffic: SHA-256 digests (hex) of credential values, never the
   * values; the answer names the kept token per digest, or null.
   */
  'match-credentials': { payload: { digests: string[] }; answer: (string | null)[] };
  /** A new secret for the token, through the same reveal-once flow as a mint. */
  regenerate: { payload: RowPayload; answer: Reveal };

  /**
   * Copies a revealed or kept token (or its header line) through the background, which clears the clipboard again
   * after the configured delay if it still holds it; `clearsAt` is when (epoch ms), null for never.
   */
  copy: { payload: { from: 'reveal' | 'kept'; id: string; what: 'secret' | 'header' }; answer: { clearsAt: number | null } };

  /** `sites`: the adapters an override may name, so the settings page need not load them. */
  'settings-get': { payload: Record<string, never>; answer: { settings: Settings; vault: VaultStatus; sites: SiteInfo[] } };
  'settings-set': { payload: { settings: Settings }; answer: null };
  /** Turns on the persistent vault with this passphrase, moving the tokens kept so far into it. */
  'vault-setup': { payload: { passphrase: string }; answer: VaultStatus };
  'vault-unlock': { payload: { passphrase: string }; answer: VaultStatus };
  'vault-lock': { payload: Record<string, never>; answer: VaultStatus };
  /** Re-encrypts every kept token under a key from the new passphrase. */
  'vault-passphrase': { payload: { current: string; next: string }; answer: VaultStatus };
  /** The kept tokens as JSON: metadata only, or with secrets when the vault is unlocked and the user confirmed. */
  'vault-export': { payload: { withSecrets: boolean }; answer: string };
  /** Forgets every kept token, the vault and its key; settings stay. */
  'vault-wipe': { payload: Record<string, never>; answer: VaultStatus };

  /** The built-in recipes and the user's own (src/sites/recipe/format.ts). */
  'recipes-get': { payload: Record<string, never>; answer: RecipeEntry[] };
  /**
   * Adds the recipe in `text` (JSON, checked by the sending page), or replaces the user's own with its id.
   * `problems`: not saved (a built-in recipe has that id).
   */
  'recipe-save': { payload: { text: string }; answer: { saved: RecipeEntry } | { problems: FieldProblem[] } };
  'recipe-delete': { payload: { id: string }; answer: null };
  /** A dry run of the (checked) recipe's who-am-I in an open tab it matches; nothing is saved. */
  'recipe-test': { payload: { text: string }; answer: RecipeTest };
}

export interface RecipeEntry {
  recipe: Recipe;
  /** Shipped with Tokenmint: always present, never deleted or replaced. */
  builtIn: boolean;
}

export type RecipeTest =
  | { origin: string; found: 'signed-in'; user: { id: string; name: string } }
  | { origin: string; found: 'signed-out' | 'not-this-site' };

export type MessageKind = keyof Messages;
export type Payload<K extends MessageKind> = Messages[K]['payload'];
export type Answer<K extends MessageKind> = Messages[K]['answer'];

export interface Envelope<K extends MessageKind = MessageKind> {
  kind: K;
  payload: Payload<K>;
}

/** Answers carry either a value or a user-facing error, never an exception. */
export type Reply<T> = { ok: true; value: T } | { ok: false; error: UserError };

type Check = (value: unknown) => boolean;
const isText: Check = (value) => typeof value === 'string' && value.length <= 2048;
const isString: Check = (value) => isText(value) && (value as string).length > 0;
const isTabId: Check = (value) => Number.isSafeInteger(value) && (value as number) >= 0;
const isIdList: Check = (value) => Array.isArray(value) && value.length <= 256 && value.every(isString);
const isDays: Check = (value) => value === null || (Number.isSafeInteger(value) && Math.abs(value as number) <= 100_000);
const isFlag: Check = (value) => typeof value === 'boolean';

function shape(fields: Record<string, Check>): Check {
  return (value) =>
    typeof value === 'object' &&
    value !== null &&
    Object.keys(value).length === Object.keys(fields).length &&
    Object.entries(fields).every(([name, check]) => check((value as Record<string, unknown>)[name]));
}

const isPassphrase: Check = (value) => typeof value === 'string' && value.length >= 1 && value.length <= 1024;
const isWhole = (max: number): Check => (value) => Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) <= max;
const isOverride = shape({ origin: (value) => isString(value) && /^https?:\/\/[^/]+$/.test(value as string), siteId: isText, cdsApiBase: isText });
const isSettings = shape({
  autoLockMinutes: isWhole(24 * 60),
  clipboardSeconds: isWhole(60 * 60),
  overrides: (value) => Array.isArray(value) && value.length <= 200 && value.every(isOverride),
});

/** A recipe as JSON text; its own checks run in the options page, where their messages are shown per field. */
const isRecipeText: Check = (value) => typeof value === 'string' && value.length > 0 && value.length <= 100_000;

const rowFields = { tabId: isTabId, origin: isString, siteId: isString, tokenId: isText, keptId: isText };

export const payloadChecks: { [K in MessageKind]: Check } = {
  'tab-state': shape({ tabId: isTabId }),
  mint: shape({
    tabId: isTabId,
    origin: isString,
    siteId: isString,
    name: isText,
    description: isText,
    scopes: isIdList,
    groups: isIdList,
    expiresInDays: isDays,
    replace: isFlag,
  }),
  'await-job': shape({ jobId: isString }),
  'end-reveal': shape({ revealId: isString }),
  'keep-reveal': shape({ revealId: isString }),
  'panel-state': shape({ tabId: isTabId, claimedOrigin: isText }),
  revoke: shape(rowFields),
  verify: shape({ ...rowFields, expiresAt: isText }),
  'copy-as': shape({ keptId: isString, format: isString }),
  regenerate: shape(rowFields),
  copy: shape({
    from: (value) => value === 'reveal' || value === 'kept',
    id: isString,
    what: (value) => value === 'secret' || value === 'header',
  }),
  'settings-get': shape({}),
  'settings-set': shape({ settings: isSettings }),
  'vault-setup': shape({ passphrase: isPassphrase }),
  'vault-unlock': shape({ passphrase: isPassphrase }),
  'vault-lock': shape({}),
  'vault-passphrase': shape({ current: isPassphrase, next: isPassphrase }),
  'vault-export': shape({ withSecrets: isFlag }),
  'vault-wipe': shape({}),
  'recipes-get': shape({}),
  'recipe-save': shape({ text: isRecipeText }),
  'recipe-delete': shape({ id: (value) => isString(value) && (value as string).length <= 40 }),
  'recipe-test': shape({ text: isRecipeText }),
  'match-credentials': shape({ digests: (value) => isIdList(value) && (value as string[]).every((d) => /^[0-9a-f]{64}$/.test(d)) }),
};

export function isEnvelope(message: unknown): message is Envelope {
  if (typeof message !== 'object' || message === null) return false;
  const { kind, payload } = message as { kind?: unknown; payload?: unknown };
  return typeof kind === 'string' && Object.hasOwn(payloadChecks, kind) && payloadChecks[kind as MessageKind](payload);
}
