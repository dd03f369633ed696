import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { pageFiles } from './bundle.ts';

/** Checks of what `npm run build:firefox` and `npm run build:test-firefox` emit; `npm test` builds them first. */

const dist = resolve('dist');
const distFirefox = resolve('dist-firefox');
const distTestFirefox = resolve('dist-test-firefox');

function manifestOf(dir: string): Record<string, unknown> {
  const file = resolve(dir, 'manifest.json');
  if (!existsSync(file)) throw new Error(`${file} is missing: run the builds first (npm test does)`);
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

/** All the code the background loads. */
const backgroundCode = (dir: string) =>
  pageFiles(dir, 'service-worker-loader.js')
    .map((file) => readFileSync(resolve(dir, file), 'utf8'))
    .join('\n');

describe('Firefox manifest', () => {
  const firefox = manifestOf(distFirefox);

  test('is the Chrome one with a background page, an add-on id, and none of Chromium’s own keys', () => {
    const { background, browser_specific_settings: settings, permissions, ...rest } = firefox;
    const { background: _worker, minimum_chrome_version: _minimum, permissions: chromePermissions, ...chromeRest } = manifestOf(dist);
    expect(rest).toEqual(chromeRest);
    // No offscreen documents in Firefox: its background page copies itself.
    expect(permissions).toEqual((chromePermissions as string[]).filter((permission) => permission !== 'offscreen'));
    expect(background).toEqual({ scripts: ['service-worker-loader.js'], type: 'module' });
    expect(settings).toEqual({
      gecko: {
        id: expect.stringMatching(/^\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}$/),
        strict_min_version: '142.0',
        data_collection_permissions: { required: ['none'] },
      },
    });
  });

  test('asks for no host at install time: sites are optional hosts, which Firefox users may withhold anyway', () => {
    expect(firefox).not.toHaveProperty('host_permissions');
    expect(firefox.optional_host_permissions).toEqual(['https://*/*', 'http://*/*']);
  });

  test('the test build differs only by the loopback hosts the emulated sites run on', () => {
    const { host_permissions: hosts, ...rest } = manifestOf(distTestFirefox);
    expect(hosts).toEqual(['http://127.0.0.1/*', 'http://localhost/*']);
    expect(rest).toEqual(firefox);
  });
});

describe('Firefox bundle', () => {
  test('the background page runs the clipboard itself, with no offscreen document; Chrome’s worker the reverse', () => {
    const firefox = backgroundCode(distFirefox);
    expect(firefox).toContain('execCommand');
    expect(firefox).not.toContain('createDocument');
    expect(existsSync(resolve(distFirefox, 'src/offscreen/offscreen.html'))).toBe(false);

    const chrome = backgroundCode(dist);
    expect(chrome).toContain('createDocument');
    expect(chrome).not.toContain('execCommand');
  });

  test('only the Firefox test build opens its popup page on install (WebDriver may not open it there)', () => {
    const popup = (manifestOf(distFirefox).action as { default_popup: string }).default_popup;
    expect(backgroundCode(distTestFirefox)).toContain(popup);
    expect(backgroundCode(distFirefox)).not.toContain(popup);
    expect(backgroundCode(dist)).not.toContain(popup);
  });
});

interface LintMessage {
  code: string;
  message: string;
  file?: string;
}

interface LintReport {
  summary: { errors: number; warnings: number; notices: number };
  errors: LintMessage[];
  warnings: LintMessage[];
}

/** `web-ext lint` (Mozilla's addons-linter, offline) on a build directory, as its JSON report. */
function webExtLint(dir: string): Promise<LintReport> {
  return new Promise((done, fail) => {
    const bin = resolve('node_modules/.bin/web-ext');
    // NO_UPDATE_NOTIFIER: web-ext would otherwise ask the npm registry whether it is the newest.
    const env = { ...process.env, NO_UPDATE_NOTIFIER: '1' };
    // It exits with 1 when it finds errors: the report on stdout says which.
    execFile(bin, ['lint', '--source-dir', dir, '--output', 'json', '--no-input'], { env }, (error, stdout) => {
      try {
        done(JSON.parse(stdout) as LintReport);
      } catch {
        fail(error ?? new Error('web-ext lint printed no JSON report'));
      }
    });
  });
}

describe('web-ext lint', () => {
  test('finds no errors in the Firefox build, and warns only about Preact’s innerHTML support', { timeout: 60_000 }, async () => {
    const report = await webExtLint(distFirefox);
    expect(report.errors).toEqual([]);
    // Preact's renderer sets innerHTML for dangerouslySetInnerHTML, which Tokenmint never uses. Preact is in two
    // files: the `ui` chunk of the panel and options page, and the popup's one script. Any other warning, or one of
    // these in any other file, is new and fails here.
    const popupScript = pageFiles(distFirefox, 'src/popup/index.html').find((file) => file.endsWith('.js'));
    const where = (file = '') => (file === popupScript ? 'popup' : /^assets\/ui-[\w-]+\.js$/.test(file) ? 'ui' : file);
    expect(report.warnings.map(({ code, message, file }) => [code, message, where(file)]).sort()).toEqual([
      ['UNSAFE_VAR_ASSIGNMENT', 'Unsafe assignment to innerHTML', 'popup'],
      ['UNSAFE_VAR_ASSIGNMENT', 'Unsafe assignment to innerHTML', 'ui'],
    ]);
  });
});
