import type { SiteOverride } from '../core/settings.ts';
import { t } from '../core/i18n.ts';

/** What the options page checks before it sends anything: plain sentences for the hints under the fields. */

export const MIN_PASSPHRASE = 8;

/** Why a new passphrase (typed twice) cannot be used yet; null when it can. */
export function passphraseProblem(passphrase: string, repeat: string): string | null {
  if (passphrase.length < MIN_PASSPHRASE) return t('options_passphraseShort', MIN_PASSPHRASE);
  if (repeat !== passphrase) return t('options_passphraseDiffer');
  return null;
}

/** A whole number from `min` to `max` typed in a field, or a sentence saying what to type. */
export function wholeNumber(text: string, max: number): { value: number } | { problem: string } {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return { problem: t('options_wholeNumber', max) };
  const value = Number(trimmed);
  return value > max ? { problem: t('options_atMost', max) } : { value };
}

/** `https://host[:port]` from what the user typed (a bare host name means https), or a sentence saying what to type. */
export function originOf(text: string): { origin: string } | { problem: string } {
  const trimmed = text.trim();
  const problem = t('options_originProblem');
  if (!trimmed) return { problem };
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:/i.test(trimmed) ? trimmed : `https://${trimmed}`);
  } catch {
    return { problem };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { problem: t('options_originScheme') };
  if (!url.hostname || url.username || url.password) return { problem };
  return { origin: url.origin };
}

/** CDS's API base path as typed: '' for the default, else `/a/b` (a trailing slash dropped). */
export function apiBaseOf(text: string): { base: string } | { problem: string } {
  const trimmed = text.trim().replace(/\/+$/, '');
  if (!trimmed) return { base: '' };
  const base = trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
  if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(base) || base.split('/').some((part) => /^\.+$/.test(part))) {
    return { problem: t('options_baseProblem') };
  }
  return { base };
}

/** The host permission pattern that covers an origin (match patterns carry no port, so every port of the host). */
export function permissionPattern(origin: string): string {
  const url = new URL(origin);
  return `${url.protocol}//${url.hostname}/*`;
}

/** The list with `rule` added, replacing an earlier rule for the same origin in its place. */
export function withOverride(overrides: SiteOverride[], rule: SiteOverride): SiteOverride[] {
  const at = overrides.findIndex((override) => override.origin === rule.origin);
  if (at < 0) return [...overrides, rule];
  return overrides.map((override, index) => (index === at ? rule : override));
}
