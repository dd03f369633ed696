// `npm run package`: the store packages of the built extension (dist/ for the Chrome Web Store, dist-firefox/ for
// AMO) and the source archive AMO asks for, into artifacts/. The same input always gives the same bytes, so anyone can
// check that a published package is what these sources build.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { zipSync, type Zippable } from 'fflate';

/**
 * Every entry carries the same time, so that the bytes say what was built and not when: 1980-01-01 12:00 (at noon no
 * zone changes its clocks). A zip stores local date and time fields, which fflate reads from a Date's local fields,
 * so the Date is made from local fields in the zone of the moment.
 */
const entryTime = () => new Date(1980, 0, 1, 12);
const LEVEL = 9;

/** One archive: its file name and its bytes. */
export interface Archive {
  name: string;
  bytes: Uint8Array;
}

/** A zip of `files` (archive path → content) whose bytes depend on nothing else: sorted entries, fixed time and level. */
export function zipFiles(files: ReadonlyMap<string, Uint8Array>): Uint8Array {
  const entries: Zippable = {};
  const mtime = entryTime();
  for (const path of [...files.keys()].sort()) entries[path] = [files.get(path)!, { level: LEVEL, mtime }];
  return zipSync(entries);
}

/** Every file under `dir`, keyed by its path relative to `dir` with forward slashes. */
export function filesUnder(dir: string, prefix = ''): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  for (const entry of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const path = prefix + entry.name;
    if (entry.isDirectory()) for (const [inner, bytes] of filesUnder(dir, `${path}/`)) files.set(inner, bytes);
    else if (entry.isFile()) files.set(path, readFileSync(join(dir, path)));
  }
  return files;
}

/** The files git tracks in `root`, as they are in the working tree (the sources the builds were made from). */
export function trackedFiles(root: string): Map<string, Uint8Array> {
  const listed = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' }).split('\0').filter(Boolean);
  // A tracked file deleted in the working tree is not part of these sources.
  return new Map(listed.filter((path) => existsSync(join(root, path))).map((path) => [path, readFileSync(join(root, path))]));
}

/** The build in `dir`, after checking it was made from this version: a stale dist/ must not ship under a new name. */
function builtFiles(root: string, dir: string, version: string, command: string): Map<string, Uint8Array> {
  const manifestPath = join(root, dir, 'manifest.json');
  if (!existsSync(manifestPath)) throw new Error(`${dir}/ is missing: run ${command} first`);
  const built = (JSON.parse(readFileSync(manifestPath, 'utf8')) as { version?: string }).version;
  if (built !== version) throw new Error(`${dir}/ holds version ${built}, package.json says ${version}: run ${command} again`);
  return filesUnder(join(root, dir));
}

/** The three archives of the version in `root`'s package.json, from its dist/, dist-firefox/ and tracked sources. */
export function makeArchives(root: string): Archive[] {
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  return [
    { name: `tokenmint-chrome-${version}.zip`, bytes: zipFiles(builtFiles(root, 'dist', version, 'npm run build')) },
    {
      name: `tokenmint-firefox-${version}.zip`,
      bytes: zipFiles(builtFiles(root, 'dist-firefox', version, 'npm run build:firefox')),
    },
    { name: `tokenmint-firefox-${version}-source.zip`, bytes: zipFiles(trackedFiles(root)) },
  ];
}

/** Writes the archives into `outDir`; returns their paths and sizes. */
export function writeArchives(root: string, outDir: string): { path: string; bytes: number }[] {
  mkdirSync(outDir, { recursive: true });
  return makeArchives(root).map(({ name, bytes }) => {
    const path = join(outDir, name);
    writeFileSync(path, bytes);
    return { path, bytes: bytes.length };
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const root = resolve(import.meta.dirname, '..');
  for (const { path, bytes } of writeArchives(root, join(root, 'artifacts'))) {
    console.log(`${path}  ${(bytes / 1024).toFixed(1)} kB`);
  }
}
