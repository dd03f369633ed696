import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, test } from 'vitest';
import { formatMessage, locales, readCatalogue, type CatalogueEntry } from './catalogue.ts';

const root = join(import.meta.dirname, '../..');
const english = readCatalogue('en');
const others = locales().filter((locale) => locale !== 'en');

/** Placeholder names a message uses (`$NAME$`), lower-cased as the browser matches them. */
function used(entry: CatalogueEntry): string[] {
  return [...entry.message.matchAll(/\$([A-Za-z0-9_@]+)\$/g)].map(([, name]) => name!.toLowerCase()).sort();
}

/** Each placeholder's name and what it stands for (`$1`…), lower-cased. */
function declared(entry: CatalogueEntry): string[] {
  return Object.entries(entry.placeholders ?? {})
    .map(([name, placeholder]) => `${name.toLowerCase()}=${placeholder.content}`)
    .sort();
}

/** Substitutions a message takes straight in its text (`$1`; `$$` is a dollar sign). */
function direct(entry: CatalogueEntry): string[] {
  return [...new Set([...entry.message.replaceAll('$$', '').matchAll(/\$([1-9])/g)].map(([, digit]) => digit!))].sort();
}

/** How many substitutions a message takes: the highest `$n` it refers to, through a placeholder or directly. */
function arity(entry: CatalogueEntry): number {
  const numbers = [...Object.values(entry.placeholders ?? {}).map((placeholder) => placeholder.content.slice(1)), ...direct(entry)];
  return Math.max(0, ...numbers.map(Number));
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((item) => {
    const path = join(dir, item.name);
    if (item.isDirectory()) return sources(path);
    return /\.tsx?$/.test(item.name) && !item.name.endsWith('.test.ts') ? [path] : [];
  });
}

/**
 * Every `t('key', …)` in the sources, with how many substitutions it passes: arguments are counted at the call's
 * own depth, so commas inside nested calls, arrays and strings do not count.
 */
function calls(): { file: string; key: string; substitutions: number }[] {
  const found: { file: string; key: string; substitutions: number }[] = [];
  for (const path of sources(join(root, 'src'))) {
    const code = readFileSync(path, 'utf8');
    for (const match of code.matchAll(/\bt\(\s*'([^']+)'/g)) {
      found.push({ file: relative(root, path), key: match[1]!, substitutions: countArguments(code, match.index + match[0].length) });
    }
  }
  return found;
}

/** Top-level commas from `at` (just after the first argument) to the call's closing parenthesis. */
function countArguments(code: string, at: number): number {
  let depth = 0;
  let commas = 0;
  let sawArgument = false;
  for (let index = at; index < code.length; index++) {
    const char = code[index]!;
    if (char === "'" || char === '"' || char === '`') {
      index = endOfString(code, index);
      sawArgument = true;
    } else if ('([{'.includes(char)) depth++;
    else if (')]}'.includes(char)) {
      if (depth === 0) return sawArgument ? commas : 0;
      depth--;
    } else if (char === ',' && depth === 0) {
      commas++;
      sawArgument = false;
    } else if (!/\s/.test(char)) sawArgument = true;
  }
  throw new Error(`unclosed call at ${at}`);
}

function endOfString(code: string, start: number): number {
  const quote = code[start];
  for (let index = start + 1; index < code.length; index++) {
    if (code[index] === '\\') index++;
    else if (quote === '`' && code.startsWith('${', index)) {
      let depth = 0;
      for (index += 2; depth > 0 || code[index] !== '}'; index++) {
        if (code[index] === '{') depth++;
        if (code[index] === '}') depth--;
      }
    } else if (code[index] === quote) return index;
  }
  return code.length;
}

describe('the catalogues', () => {
  test('there is English and at least one other language', () => {
    expect(locales()).toContain('en');
    expect(others.length).toBeGreaterThan(0);
  });

  test.each(others)('%s has exactly the English keys', (locale) => {
    const keys = Object.keys(readCatalogue(locale));
    expect(keys.filter((key) => !(key in english)), 'keys English lacks').toEqual([]);
    expect(Object.keys(english).filter((key) => !keys.includes(key)), 'English keys missing').toEqual([]);
  });

  test.each(others)('%s uses the same placeholders as English, message by message', (locale) => {
    const catalogue = readCatalogue(locale);
    const differing = Object.keys(english).filter(
      (key) =>
        catalogue[key] &&
        JSON.stringify([declared(catalogue[key]), direct(catalogue[key])]) !== JSON.stringify([declared(english[key]!), direct(english[key]!)]),
    );
    expect(differing).toEqual([]);
  });

  test.each(locales())('%s: every placeholder a message uses is declared, and every declared one is used', (locale) => {
    const wrong = Object.entries(readCatalogue(locale)).filter(([, entry]) => {
      const names = declared(entry).map((pair) => pair.split('=')[0]);
      return JSON.stringify([...new Set(used(entry))].sort()) !== JSON.stringify(names);
    });
    expect(wrong.map(([key]) => key)).toEqual([]);
  });

  test.each(locales())('%s: placeholders stand for numbered substitutions, each once, counting from the first', (locale) => {
    const wrong = Object.entries(readCatalogue(locale)).filter(([, entry]) => {
      const contents = Object.values(entry.placeholders ?? {}).map((placeholder) => placeholder.content).sort();
      return contents.some((content, index) => content !== `$${index + 1}`);
    });
    expect(wrong.map(([key]) => key)).toEqual([]);
  });

  test.each(locales())('%s: no message is empty', (locale) => {
    const empty = Object.entries(readCatalogue(locale)).filter(([, entry]) => typeof entry.message !== 'string' || !entry.message.trim());
    expect(empty.map(([key]) => key)).toEqual([]);
  });

  test('keys are distinct whatever their case (the browser ignores it) and use only the characters it allows', () => {
    const keys = Object.keys(english);
    expect(new Set(keys.map((key) => key.toLowerCase())).size).toBe(keys.length);
    expect(keys.filter((key) => !/^[A-Za-z0-9_]+$/.test(key) || key.startsWith('@@'))).toEqual([]);
  });

  test('German translates every message but those that read the same in German', () => {
    // Brand and loan words German uses as they are, and labels naming a recipe's JSON fields.
    const sameInGerman = [
      'ext_name', 'panel_colName', 'panel_colSecret', 'panel_colStatus', 'panel_formatHeader', 'options_exportTitle',
      'options_passphrase', 'options_overrideOrigin', 'recipe_ui_optional', 'recipe_f_name', 'recipe_f_origin',
    ];
    const german = readCatalogue('de');
    const untranslated = Object.keys(english).filter(
      (key) =>
        german[key]?.message === english[key]!.message &&
        !sameInGerman.includes(key) &&
        // Made of names, punctuation and placeholders only: nothing to translate.
        /[a-z]{2,}/i.test(english[key]!.message.replace(/\$[A-Za-z0-9_]+\$/g, '')),
    );
    expect(untranslated).toEqual([]);
  });

  test.each(others)('%s names its own locale, which pages use as their lang', (locale) => {
    expect(readCatalogue(locale).ext_locale?.message).toBe(locale);
  });
});

describe('the sources', () => {
  const found = calls();

  test('call t() (the scan sees them)', () => {
    expect(found.length).toBeGreaterThan(300);
  });

  test('ask only for keys the English catalogue has', () => {
    expect(found.filter(({ key }) => !(key in english)).map(({ file, key }) => `${file}: ${key}`)).toEqual([]);
  });

  test('pass as many substitutions as each message has placeholders', () => {
    const wrong = found.filter(({ key, substitutions }) => english[key] && substitutions !== arity(english[key]!));
    expect(wrong.map(({ file, key, substitutions }) => `${file}: ${key} gets ${substitutions}`)).toEqual([]);
  });
});

describe('the manifest', () => {
  const manifest = readFileSync(join(root, 'manifest.json'), 'utf8');
  const names = [...manifest.matchAll(/__MSG_([A-Za-z0-9_@]+)__/g)].map(([, name]) => name!);

  test('names its default locale, and takes name, description and the button title from the catalogue', () => {
    const parsed = JSON.parse(manifest) as { default_locale: string; name: string; description: string; action: { default_title: string } };
    expect(parsed.default_locale).toBe('en');
    for (const field of [parsed.name, parsed.description, parsed.action.default_title]) expect(field).toMatch(/^__MSG_\w+__$/);
  });

  test('has every __MSG_ key it uses in the catalogue', () => {
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((name) => !(name in english))).toEqual([]);
  });

  test.each(locales())('%s: the name and description fit the stores (75 and 132 characters)', (locale) => {
    const catalogue = readCatalogue(locale);
    expect(catalogue.ext_name!.message.length).toBeLessThanOrEqual(75);
    expect(catalogue.ext_description!.message.length).toBeLessThanOrEqual(132);
  });
});

describe('English', () => {
  test('keeps the names the UI contract and its tests rely on', () => {
    const contract = {
      popup_tokenName: 'Token name',
      popup_generate: 'Generate token',
      popup_expiresInDays: 'Expires in days',
      popup_replaceSecret: 'Replace the existing secret',
      reveal_newToken: 'New token',
      reveal_copy: 'Copy',
      reveal_done: 'Done',
      error_signIn: 'Sign in',
      panel_revoke: 'Revoke',
      panel_confirmRevoke: 'Confirm revoke',
      panel_refresh: 'Refresh',
      panel_allow: 'Allow on this site',
    };
    expect(Object.fromEntries(Object.keys(contract).map((key) => [key, english[key]?.message]))).toEqual(contract);
  });
});

describe('the stand-in for i18n.getMessage', () => {
  const catalogue = {
    greet: { message: 'Hello $WHO$, $$5 for $What$', placeholders: { who: { content: '$1' }, WHAT: { content: '$2' } } },
    plain: { message: 'Cost: $$1, first $1' },
  };

  test('fills named placeholders whatever their case, and reads $$ as a dollar sign', () => {
    expect(formatMessage(catalogue, 'greet', ['Ada', 'tea'])).toBe('Hello Ada, $5 for tea');
  });

  test('leaves missing substitutions empty and finds keys whatever their case, as the browser does', () => {
    expect(formatMessage(catalogue, 'GREET', ['Ada'])).toBe('Hello Ada, $5 for ');
    expect(formatMessage(catalogue, 'plain', ['x'])).toBe('Cost: $1, first x');
  });

  test('gives an empty string for an unknown key', () => {
    expect(formatMessage(catalogue, 'nothing')).toBe('');
  });
});
