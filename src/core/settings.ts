/** The user's settings, as the options page edits them and `storage.local` keeps them (no secret is ever here). */
export interface Settings {
  /** Minutes without use before a persistent vault locks itself; 0 never. */
  autoLockMinutes: number;
  /** Seconds after a copy before the clipboard is cleared, if it still holds the token; 0 never. */
  clipboardSeconds: number;
  /** Per-origin choices that win over recognition: which adapter, and where CDS serves its API. */
  overrides: SiteOverride[];
}

export interface SiteOverride {
  /** `https://host[:port]` */
  origin: string;
  /** An adapter id, or '' to keep recognising the site by what it answers. */
  siteId: string;
  /** CDS only: the API base path when it is not `/cdsapi` (e.g. `/ui/cdsapi`); '' for the default. */
  cdsApiBase: string;
}

export const DEFAULT_SETTINGS: Settings = { autoLockMinutes: 15, clipboardSeconds: 45, overrides: [] };

/** Where kept tokens live: memory only (default), or encrypted on disk behind a passphrase. */
export interface VaultStatus {
  mode: 'session' | 'persistent';
  /** A persistent vault whose key is not in memory: its tokens are listed, but not usable until unlocked. */
  locked: boolean;
  entries: number;
  /** PBKDF2 iterations of the persistent vault's key. */
  iterations?: number;
}
