import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { rolldown } from 'rolldown';
import type { Plugin } from 'vite';

const MODULE_SCRIPT = /<script type="module" crossorigin src="\/([^"]+\.js)"><\/script>/g;
const MODULE_PRELOAD = /\s*<link rel="modulepreload"[^>]*>/g;

/**
 * Folds the chunks an HTML page imports into its own script, after the build has written them. The pages share
 * chunks (Preact, the UI), which suits the panel and the options page; but each file a page loads goes through the
 * browser's extension protocol, and the popup, which every use waits for, opened 3–9 ms sooner from one file than from
 * three (`npm run bench`). The shared chunks stay for the pages that load them. Only static imports may be folded:
 * a page whose script loads more later is left as it is, and the build says so.
 */
export function oneScript(htmlFile: string): Plugin {
  let outDir = '';
  return {
    name: 'tokenmint:one-script',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir;
    },
    async writeBundle() {
      const htmlPath = join(outDir, htmlFile);
      const html = await readFile(htmlPath, 'utf8');
      const scripts = [...html.matchAll(MODULE_SCRIPT)].map((match) => match[1]!);
      if (scripts.length !== 1) throw new Error(`${htmlFile}: expected one module script, found ${scripts.length}`);
      const entry = join(outDir, scripts[0]!);
      const build = await rolldown({ input: entry, logLevel: 'warn' });
      const { output } = await build.generate({ format: 'esm', minify: true });
      await build.close();
      if (output.length !== 1 || output[0].type !== 'chunk') {
        throw new Error(`${htmlFile}: its script imports modules at run time, which cannot be folded into one file`);
      }
      // In place: the file keeps its name, so nothing else that names it changes.
      await writeFile(entry, output[0].code);
      await writeFile(htmlPath, html.replace(MODULE_PRELOAD, ''));
    },
  };
}
