import { crx, type ManifestV3Export } from '@crxjs/vite-plugin';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';
import manifest from './manifest.json' with { type: 'json' };
import pkg from './package.json' with { type: 'json' };

/**
 * `vite build` → dist/ (the store build: no host permissions at all, the popup works through activeTab).
 * `vite build --mode test` → dist-test/: an automated browser cannot click the toolbar button or answer a permission
 * prompt, so this build is granted the loopback hosts where the emulated sites run.
 */
function manifestFor(mode: string): ManifestV3Export {
  const base = { ...manifest, version: pkg.version };
  if (mode !== 'test') return base as ManifestV3Export;
  return { ...base, host_permissions: ['http://127.0.0.1/*', 'http://localhost/*'] } as ManifestV3Export;
}

export default defineConfig(({ mode }) => ({
  plugins: [preact(), crx({ manifest: manifestFor(mode) })],
  build: {
    outDir: mode === 'test' ? 'dist-test' : 'dist',
    emptyOutDir: true,
    target: 'chrome121',
    // Extension pages load their modules from disk; the preload polyfill is dead weight there.
    modulePreload: { polyfill: false },
    // Pages opened at run time (the panel by the devtools page, the offscreen document by the worker) are not in
    // the manifest, so crxjs cannot find them there.
    rollupOptions: { input: { panel: 'src/devtools/panel.html', offscreen: 'src/offscreen/offscreen.html' } },
  },
}));
