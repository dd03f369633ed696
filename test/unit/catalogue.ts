import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** One entry of a `_locales/<lang>/messages.json`. */
export interface CatalogueEntry {
  message: string;
  description?: string;
  placeholders?: Record<string, { content: string; example?: string }>;
}
export type Catalogue = Record<string, CatalogueEntry>;

export const localesDir = join(import.meta.dirname, '../../_locales');

export function locales(): string[] {
  return readdirSync(localesDir).sort();
}

export function readCatalogue(locale: string): Catalogue {
  return JSON.parse(readFileSync(join(localesDir, locale, 'messages.json'), 'utf8')) as Catalogue;
}

/**
 * The text `i18n.getMessage` returns, by the browser's rules: `$name$` takes its placeholder's content (names match
 * whatever their case), then `$1`…`$9` take the substitutions (missing ones become empty) and `$$` is a dollar sign.
 * Unknown keys give an empty string, as in the browser.
 */
export function formatMessage(catalogue: Catalogue, key: string, substitutions: string[] = []): string {
  const entry = byLowerCaseKey(catalogue).get(key.toLowerCase());
  if (!entry) return '';
  const placeholders = new Map(Object.entries(entry.placeholders ?? {}).map(([name, p]) => [name.toLowerCase(), p.content]));
  const named = entry.message.replace(/\$([A-Za-z0-9_@]+)\$/g, (whole, name: string) => placeholders.get(name.toLowerCase()) ?? whole);
  return named.replace(/\$(\$|[1-9])/g, (_, which: string) => (which === '$' ? '$' : (substitutions[Number(which) - 1] ?? '')));
}

const indexes = new WeakMap<Catalogue, Map<string, CatalogueEntry>>();

/** The catalogue keyed as the browser looks keys up (whatever their case), built once per catalogue. */
function byLowerCaseKey(catalogue: Catalogue): Map<string, CatalogueEntry> {
  let index = indexes.get(catalogue);
  if (!index) {
    index = new Map(Object.entries(catalogue).map(([name, entry]) => [name.toLowerCase(), entry]));
    indexes.set(catalogue, index);
  }
  return index;
}
