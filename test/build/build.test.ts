import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { BUDGETS, pageFiles, pageSize } from './bundle.ts';

/** Checks of what `npm run build` and `npm run build:test` emit; `npm test` builds both first. */

const dist = resolve('dist');
const distTest = resolve('dist-test');

function manifestOf(dir: string): Record<string, unknown> {
  const file = resolve(dir, 'manifest.json');
  if (!existsSync(file)) throw new Error(`${file} is missing: run npm run build and npm run build:test first`);
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

describe('production manifest', () => {
  const manifest = manifestOf(dist);

  test('asks for exactly the permissions of DESIGN.md, and no host at install time', () => {
    expect(manifest.permissions).toEqual(['activeTab', 'scripting', 'storage', 'clipboardWrite', 'clipboardRead', 'offscreen', 'alarms']);
    expect(manifest.optional_host_permissions).toEqual(['https://*/*', 'http://*/*']);
    for (const key of ['host_permissions', 'content_scripts', 'web_accessible_resources', 'externally_connectable']) {
      expect(manifest, key).not.toHaveProperty(key);
    }
  });

  test('takes its version from package.json', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect(manifest.version).toBe(pkg.version);
  });

  test('locks extension pages to their own scripts', () => {
    expect(manifest.content_security_policy).toEqual({
      extension_pages: "script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    });
  });

  test('ships every icon it names, at the size it names', () => {
    const icons = manifest.icons as Record<string, string>;
    expect(Object.keys(icons)).toEqual(['16', '32', '48', '128']);
    for (const [size, path] of Object.entries(icons)) {
      const png = readFileSync(resolve(dist, path));
      // PNG IHDR: width and height as big-endian 32-bit integers at bytes 16 and 20.
      expect([png.readUInt32BE(16), png.readUInt32BE(20)], path).toEqual([Number(size), Number(size)]);
    }
  });
});

describe('test manifest', () => {
  test('differs from production only by the loopback hosts the emulated sites run on', () => {
    const { host_permissions: hosts, ...rest } = manifestOf(distTest);
    expect(hosts).toEqual(['http://127.0.0.1/*', 'http://localhost/*']);
    expect(rest).toEqual(manifestOf(dist));
  });
});


describe('bundle sizes', () => {
  test(`the popup loads one script and its style inline, no polyfill, within ${BUDGETS.popup} B gzip`, () => {
    const files = pageFiles(dist, 'src/popup/index.html');
    // Each file costs the first paint a few milliseconds (see scripts/vite-one-script.ts).
    expect(files.filter((file) => file.endsWith('.js'))).toHaveLength(1);
    expect(readFileSync(resolve(dist, 'src/popup/index.html'), 'utf8')).not.toContain('modulepreload');
    expect(files.filter((file) => file.endsWith('.css'))).toEqual([]);
    expect(readFileSync(resolve(dist, 'src/popup/index.html'), 'utf8')).toMatch(/<style>[^<]*button\.primary[^<]*<\/style>/);
    // The popup calls the browser's own API: the polyfill would cost it ~3 kB gzip and start-up time.
    expect(files.some((file) => file.includes('polyfill'))).toBe(false);
    expect(pageSize(dist, 'src/popup/index.html').gzip).toBeLessThanOrEqual(BUDGETS.popup);
  });

  test('the service worker loads no Preact and no page code', () => {
    const code = pageFiles(dist, 'service-worker-loader.js')
      .map((file) => readFileSync(resolve(dist, file), 'utf8'))
      .join('\n');
    // `__H` is where Preact's hooks keep their state: no Preact, even through another chunk.
    expect(code).not.toContain('__H');
    expect(pageFiles(dist, 'service-worker-loader.js').some((file) => /assets\/ui-/.test(file))).toBe(false);
  });

  test.each([
    ['the panel', 'src/devtools/panel.html', BUDGETS.panel],
    ['the options page', 'src/options/index.html', BUDGETS.options],
  ])('%s stays within its budget (%s, %i B gzip)', (_, entry, budget) => {
    expect(pageSize(dist, entry).gzip).toBeLessThanOrEqual(budget);
  });

  // Adapters run in the worker only; a page that imports the registry would carry all of them.
  test.each(['src/popup/index.html', 'src/devtools/panel.html', 'src/options/index.html'])('%s loads no adapter', (entry) => {
    const code = pageFiles(dist, entry)
      .map((file) => readFileSync(resolve(dist, file), 'utf8'))
      .join('\n');
    for (const marker of ['/api/v1/entities/users/', '/auth/consumer/builtin/signin', 'frappe.auth.get_logged_user', '/api/token']) {
      expect(code, marker).not.toContain(marker);
    }
  });

  test('the service worker stays small: it starts on every wake-up', () => {
    // Everything the worker does loads at every wake-up: service workers may not import() on demand. Five adapters
    // and the core were 19.6 kB gzip; the panel's handlers 23 kB; each adapter adds 2 to 3 kB.
    expect(pageSize(dist, 'service-worker-loader.js').gzip).toBeLessThanOrEqual(BUDGETS.worker);
  });
});
