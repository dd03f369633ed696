import type catalogue from '../../_locales/en/messages.json';

/** A key of the English catalogue: the source every other locale mirrors, so a misspelt key fails the typecheck. */
export type MessageKey = keyof typeof catalogue;

// The `chrome` namespace exists in every extension context of Chromium and Firefox (the worker, pages, the offscreen
// document); calling it directly keeps the polyfill's promise wrappers and any catalogue out of the page bundles.
declare const chrome: { i18n: { getMessage(key: string, substitutions?: string[]): string } };

/**
 * The message `key` in the browser's language (from `_locales`, read by the browser at run time), with `$1`…`$9`
 * filled from `substitutions`. A key the browser lacks shows as itself rather than as an empty string.
 */
export function t(key: MessageKey, ...substitutions: (string | number)[]): string {
  return chrome.i18n.getMessage(key, substitutions.map(String)) || key;
}

/** "A, B and C", joined the way the messages' language joins a list. */
export function listed(names: string[]): string {
  return new Intl.ListFormat(t('ext_locale')).format(names);
}
