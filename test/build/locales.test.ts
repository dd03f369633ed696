import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';

/** The catalogues reach every build as files the browser reads, and no page or worker bundles their text. */

const source = resolve('_locales');
const builds = [resolve('dist'), resolve('dist-test')];
const english = JSON.parse(readFileSync(join(source, 'en/messages.json'), 'utf8')) as Record<string, { message: string }>;

function scripts(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((item) => item.isFile() && item.name.endsWith('.js'))
    .map((item) => join(item.parentPath, item.name));
}

describe.each(builds)('%s', (dist) => {
  test('holds every locale, byte for byte, and the manifest names English as the default', () => {
    if (!existsSync(join(dist, 'manifest.json'))) throw new Error(`${dist} is missing: build it first`);
    for (const locale of readdirSync(source)) {
      expect(readFileSync(join(dist, '_locales', locale, 'messages.json'), 'utf8')).toBe(
        readFileSync(join(source, locale, 'messages.json'), 'utf8'),
      );
    }
    expect((JSON.parse(readFileSync(join(dist, 'manifest.json'), 'utf8')) as { default_locale?: string }).default_locale).toBe('en');
  });

  test('bundles no message text: pages and worker ask the browser for it', () => {
    // Whole sentences only: a short word may well appear in code for other reasons.
    const sentences = Object.values(english)
      .map((entry) => entry.message)
      .filter((message) => message.length >= 30 && !message.includes('$'));
    expect(sentences.length).toBeGreaterThan(100);
    const code = scripts(dist).map((file) => readFileSync(file, 'utf8')).join('\n');
    expect(sentences.filter((sentence) => code.includes(sentence))).toEqual([]);
  });
});
