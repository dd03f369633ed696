import { formatMessage, readCatalogue } from './catalogue.ts';

// Node has no `chrome.i18n`: code under test gets the English catalogue through the browser's own substitution rules,
// so tests keep asserting the sentences an English user reads.
const english = readCatalogue('en');
Object.assign(globalThis, {
  chrome: { i18n: { getMessage: (key: string, substitutions?: string[]) => formatMessage(english, key, substitutions) } },
});
