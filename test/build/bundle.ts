import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** What one extension page really loads: its HTML (with any inlined style), its scripts and styles, and every module those import. */
export function pageFiles(dist: string, entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    if (!file.endsWith('.js')) return;
    const code = readFileSync(join(dist, file), 'utf8');
    // Static imports, and dynamic ones (the options page loads its recipe validator through `import()`, quoted with backticks).
    for (const [, spec] of code.matchAll(/(?:from|import)\s*\(?\s*["'`]\.\/([^"'`]+)["'`]/g)) {
      visit(join(file, '..', spec!));
    }
  };
  if (entry.endsWith('.html')) {
    seen.add(entry);
    const html = readFileSync(join(dist, entry), 'utf8');
    for (const [, ref] of html.matchAll(/(?:src|href)="\/([^"]+\.(?:js|css))"/g)) visit(ref!);
  } else {
    visit(entry);
  }
  return [...seen];
}

export interface Size {
  raw: number;
  gzip: number;
}

/** Raw and gzip bytes of the files a page loads, each file compressed on its own as a server or store would. */
export function pageSize(dist: string, entry: string): Size {
  return pageFiles(dist, entry).reduce(
    (total, file) => {
      const bytes = readFileSync(join(dist, file));
      return { raw: total.raw + bytes.length, gzip: total.gzip + gzipSync(bytes, { level: 9 }).length };
    },
    { raw: 0, gzip: 0 },
  );
}

// Budgets near what the pages weigh now (issue 7), so that growth is a decision: raise one only with the reason in the
// commit. Measured on this build, gzip, every file a page may load counted with its HTML: popup 10.9 kB (one script,
// its style inlined), panel 17.4 kB, options 25.5 kB (the shared `ui` chunk brings it the reveal card it does not show,
// ~1 kB; the recipe section's validator, loaded when that section opens, ~4.7 kB), worker 30.5 kB.
export const BUDGETS = { popup: 11_500, panel: 17_500, options: 26_000, worker: 31_000 };
