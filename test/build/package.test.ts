import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, describe, expect, test } from 'vitest';
import { filesUnder, makeArchives, writeArchives, zipFiles } from '../../scripts/package.ts';

/** `npm run package` on the builds `npm test` made: the store zips and AMO's source archive, byte for byte repeatable. */

const root = resolve('.');
const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
const scratch = mkdtempSync(join(tmpdir(), 'tokenmint-package-'));

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

/** What a zip holds, archive path → bytes. */
const contents = (zip: Uint8Array) => new Map(Object.entries(unzipSync(zip)).map(([path, bytes]) => [path, Buffer.from(bytes)]));

const archive = (name: string) => {
  const found = makeArchives(root).find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no ${name}`);
  return found.bytes;
};

describe('npm run package', () => {
  test('writes the three archives, named by package.json’s version, and the same bytes every time', () => {
    const first = join(scratch, 'first');
    const second = join(scratch, 'second');
    const written = writeArchives(root, first);
    writeArchives(root, second);
    expect(written.map(({ path }) => path.slice(first.length + 1))).toEqual([
      `tokenmint-chrome-${version}.zip`,
      `tokenmint-firefox-${version}.zip`,
      `tokenmint-firefox-${version}-source.zip`,
    ]);
    for (const { path, bytes } of written) {
      const again = readFileSync(join(second, path.slice(first.length + 1)));
      expect(again.length).toBe(bytes);
      expect(Buffer.compare(again, readFileSync(path)), path).toBe(0);
    }
  });

  test.each([
    ['chrome', 'dist'],
    ['firefox', 'dist-firefox'],
  ])('the %s zip holds exactly %s/, its manifest at the root', (browser, dir) => {
    const zipped = contents(archive(`tokenmint-${browser}-${version}.zip`));
    const built = filesUnder(resolve(dir));
    expect([...zipped.keys()].sort()).toEqual([...built.keys()].sort());
    for (const [path, bytes] of built) expect(zipped.get(path)?.equals(bytes), path).toBe(true);
    expect(JSON.parse(zipped.get('manifest.json')!.toString('utf8'))).toMatchObject({ version });
  });

  test('the source archive holds every tracked file as it is, and nothing built or installed', () => {
    const zipped = contents(archive(`tokenmint-firefox-${version}-source.zip`));
    // Tracked and present: a file deleted in the working tree is not part of these sources.
    const tracked = execFileSync('git', ['ls-files'], { encoding: 'utf8' }).split('\n').filter((path) => path && existsSync(path));
    expect([...zipped.keys()].sort()).toEqual(tracked.sort());
    for (const path of tracked) expect(zipped.get(path)!.equals(readFileSync(path)), path).toBe(true);
    // What a reviewer needs to rebuild dist-firefox/: the lockfile, the build config, the steps.
    for (const path of ['package.json', 'package-lock.json', 'vite.config.ts', 'manifest.json', 'README.md', 'tsconfig.json']) {
      expect(zipped.has(path), path).toBe(true);
    }
    expect([...zipped.keys()].some((path) => /^(dist[^/]*|node_modules|artifacts)\//.test(path))).toBe(false);
  });

  test('the entries’ order, times and the clock or time zone at packing leave the bytes unchanged', () => {
    const files = new Map([
      ['b.txt', Buffer.from('second')],
      ['a/c.txt', Buffer.from('first')],
    ]);
    const zoneBefore = process.env.TZ;
    try {
      process.env.TZ = 'Pacific/Kiritimati';
      const here = zipFiles(files);
      process.env.TZ = 'America/Los_Angeles';
      const there = zipFiles(new Map([...files].reverse()));
      expect(Buffer.compare(here, there)).toBe(0);
      expect(Object.keys(unzipSync(here))).toEqual(['a/c.txt', 'b.txt']);
    } finally {
      if (zoneBefore === undefined) delete process.env.TZ;
      else process.env.TZ = zoneBefore;
    }
  });

  test('refuses a build made from another version, so a stale dist/ never ships under a new name', () => {
    const stale = join(scratch, 'stale');
    mkdirSync(join(stale, 'dist'), { recursive: true });
    writeFileSync(join(stale, 'package.json'), JSON.stringify({ version: '9.9.9' }));
    writeFileSync(join(stale, 'dist', 'manifest.json'), JSON.stringify({ version }));
    expect(() => makeArchives(stale)).toThrow(`dist/ holds version ${version}, package.json says 9.9.9: run npm run build again`);
  });
});
