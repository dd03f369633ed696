/**
 * The error model: every failure the user can meet becomes one plain sentence plus a next step. Only these plain
 * objects cross the message boundary, so a stack trace or a raw exception text never reaches the UI.
 */

import { t } from './i18n.ts';

export type ErrorCode =
  | 'signed-out' // the site session is gone: sign in again
  | 'forbidden' // the account lacks a permission
  | 'not-found'
  | 'conflict' // e.g. a token with that name exists
  | 'invalid' // the site refused the input
  | 'origin-rejected' // the site refused the request's Origin (CORS)
  | 'csrf-refused' // the site's anti-forgery check (CSRF/XSRF token) refused the request, even after a fresh token
  | 'unexpected-response' // HTML or garbage where JSON was expected, or a field is missing
  | 'server' // 5xx
  | 'rate-limited'
  | 'network'
  | 'timeout'
  | 'navigated' // the tab is no longer on the site the job started on
  | 'no-access' // the extension may not run in this tab
  | 'locked' // the vault is locked: its tokens list, but cannot be used until unlocked
  | 'orphaned' // the site made a token but its secret never reached us
  | 'interrupted' // the extension was restarted while working
  | 'internal';

export interface UserError {
  code: ErrorCode;
  /** One plain sentence saying what happened. */
  sentence: string;
  /** What the user can do next, as one short sentence. */
  next: string;
  /** A link the UI offers for the next step (e.g. the site's sign-in page). */
  link?: { label: string; url: string };
}

/** Thrown by adapters and the page client; carries a ready-made user sentence. */
export class SiteError extends Error {
  readonly user: UserError;
  constructor(user: UserError) {
    super(user.sentence);
    this.name = 'SiteError';
    this.user = user;
  }
}

export function siteError(
  code: ErrorCode,
  sentence: string,
  next: string,
  link?: UserError['link'],
): SiteError {
  return new SiteError(link ? { code, sentence, next, link } : { code, sentence, next });
}

/** Turns anything thrown into a UserError; unknown exceptions never show their own text. */
export function toUserError(error: unknown): UserError {
  if (error instanceof SiteError) return error.user;
  return {
    code: 'internal',
    sentence: t('error_unexpected'),
    next: t('error_unexpectedNext'),
  };
}

/** Free text from a site (e.g. problem+json `detail`), trimmed to one short clause fit for a sentence. */
export function siteDetail(text: unknown): string | undefined {
  if (typeof text !== 'string') return undefined;
  // Only the start is ever shown; cutting first keeps the work bounded whatever a site sends.
  const folded = text.slice(0, 1000).replace(/\s+/g, ' ').trim();
  // Trailing dots and spaces by hand: the regex /[.\s]+$/ backtracks quadratically over long runs of them.
  let end = folded.length;
  while (end > 0 && (folded[end - 1] === '.' || folded[end - 1] === ' ')) end--;
  const clean = folded.slice(0, end);
  if (!clean) return undefined;
  return clean.length > 160 ? `${clean.slice(0, 157)}…` : clean;
}

/** The same words for every site whose session is gone, with the way back in. */
export function signedOut(siteName: string, loginUrl: string): SiteError {
  return siteError('signed-out', t('error_signedOut', siteName), t('error_signedOutNext'), {
    label: t('error_signIn'),
    url: loginUrl,
  });
}

/**
 * Whether a failed create may still have made the token on the site: the answer was lost (network, timeout), or the
 * site broke (5xx) or said something unreadable. Such a create is never repeated blindly; the site's list decides.
 */
export function isUnclearOutcome(error: unknown): error is SiteError {
  return error instanceof SiteError && ['network', 'timeout', 'server', 'unexpected-response'].includes(error.user.code);
}
