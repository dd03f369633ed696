import { crx, type ManifestV3Export } from '@crxjs/vite-plugin';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';
import manifest from './manifest.json' with { type: 'json' };
import pkg from './package.json' with { type: 'json' };
import { inlineCss } from './scripts/vite-inline-css.ts';
import { oneScript } from './scripts/vite-one-script.ts';

/**
 * `--mode` picks the build. A test build is granted the loopback hosts where the emulated sites run, because an
 * automated browser cannot click the toolbar button or answer a permission prompt; the store builds have no host
 * permissions at all (the popup works through activeTab).
 */
interface Target {
  firefox: boolean;
  test: boolean;
  outDir: string;
}

const targets: Record<string, Target> = {
  production: { firefox: false, test: false, outDir: 'dist' },
  test: { firefox: false, test: true, outDir: 'dist-test' },
  firefox: { firefox: true, test: false, outDir: 'dist-firefox' },
  'test-firefox': { firefox: true, test: true, outDir: 'dist-test-firefox' },
};

function targetOf(mode: string): Target {
  // `vite` (serve) runs in development mode: the Chromium store build's settings.
  const target = targets[mode === 'development' ? 'production' : mode];
  // A misspelt mode would otherwise build for the wrong browser without a word.
  if (!target) throw new Error(`Unknown mode "${mode}": use one of ${Object.keys(targets).join(', ')}.`);
  return target;
}

/** Tokenmint's add-on id: fixed forever, since Firefox keys the user's data and AMO's listing to it. */
const GECKO_ID = '{3d1d8507-8bee-450f-bf2a-641f14879310}';

/**
 * Firefox runs the background as an event page (no service worker, no offscreen documents: the page copies itself)
 * and does not know Chromium's minimum version key. Tokenmint collects nothing, which AMO wants said explicitly.
 * crxjs (browser 'firefox') rewrites `background.scripts` to its loader.
 */
function forFirefox(chromium: typeof manifest) {
  const { minimum_chrome_version: _minimum, background, permissions, ...rest } = chromium;
  return {
    ...rest,
    permissions: permissions.filter((permission) => permission !== 'offscreen'),
    background: { scripts: [background.service_worker], type: background.type },
    browser_specific_settings: {
      gecko: { id: GECKO_ID, strict_min_version: '142.0', data_collection_permissions: { required: ['none'] } },
    },
  };
}

function manifestFor({ firefox, test }: Target): ManifestV3Export {
  const base = { ...(firefox ? forFirefox(manifest) : manifest), version: pkg.version };
  if (!test) return base as ManifestV3Export;
  return { ...base, host_permissions: ['http://127.0.0.1/*', 'http://localhost/*'] } as ManifestV3Export;
}

export default defineConfig(({ mode }) => {
  const target = targetOf(mode);
  // Pages opened at run time (the panel by the devtools page, the offscreen document by the worker) are not in
  // the manifest, so crxjs cannot find them there. Firefox has no offscreen documents.
  const pages: Record<string, string> = target.firefox
    ? { panel: 'src/devtools/panel.html' }
    : { panel: 'src/devtools/panel.html', offscreen: 'src/offscreen/offscreen.html' };
  return {
    plugins: [
      preact(),
      crx({ manifest: manifestFor(target), browser: target.firefox ? 'firefox' : 'chrome' }),
      // The popup's first paint is what every use waits for.
      inlineCss('src/popup/index.html'),
      oneScript('src/popup/index.html'),
    ],
    // Read by the code as build-time constants, so each browser's bundle holds only its own paths.
    define: {
      'import.meta.env.FIREFOX': JSON.stringify(target.firefox),
      'import.meta.env.TEST_BUILD': JSON.stringify(target.test),
    },
    build: {
      outDir: target.outDir,
      emptyOutDir: true,
      target: target.firefox ? 'firefox142' : 'chrome121',
      // Extension pages load their modules from disk; the preload polyfill is dead weight there.
      modulePreload: { polyfill: false },
      rollupOptions: {
        input: pages,
        // Each file an extension page loads costs its first paint a few milliseconds (`npm run bench`): the panel and
        // options page load their own code, `ui` (Preact and what the pages share) and `shared` (the few tiny modules
        // the worker uses too, kept apart so that the worker never loads Preact), rather than one chunk per shared
        // module. The popup gets all of it folded into one file (oneScript).
        output: {
          codeSplitting: {
            groups: [
              { name: 'shared', test: /src[\\/]core[\\/](i18n|token|name-rule|shown-state)\.ts$/, priority: 3 },
              { name: 'ui', test: /node_modules[\\/]preact[\\/]|src[\\/]ui[\\/]|src[\\/]core[\\/](send|page-api)\.ts$/, priority: 2 },
            ],
          },
        },
      },
    },
  };
});
