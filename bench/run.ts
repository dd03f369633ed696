// `npm run bench`: the performance table of issue 7. Starts the emulated sites on free loopback ports, launches
// Debian's Chromium with the test build, runs each measure, prints the table and writes docs/benchmarks.md.
// BENCH_RUNS (default 25) sets the runs per measure; BENCH_TOKENS (default 10000) the panel's list. To compare with
// another build (an older commit's, say): BENCH_DIST and BENCH_STORE_DIST name its test and store builds, BENCH_OUT
// the file the table goes to.
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { startGoodData, demo as goodDataDemo } from '../test/sites/gooddata.ts';
import { emulatedSites } from '../test/sites/index.ts';
import { html, startSite, type Site } from '../test/sites/harness.ts';
import { launchBenchBrowser } from './bench-browser.ts';
import { measureColdStart } from './measure-cold-start.ts';
import { measureMintOverhead } from './measure-mint.ts';
import { measurePanel } from './measure-panel.ts';
import { measurePopupOpen } from './measure-popup.ts';
import { measureRecognition, type RecognitionFigures } from './measure-recognition.ts';
import { report } from './report.ts';
import { measureSizes } from './sizes.ts';

function count(name: string, fallback: number, least: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < least) throw new Error(`${name} must be a whole number ≥ ${least}`);
  return value;
}
const RUNS = count('BENCH_RUNS', 25, 1);
const TOKENS = count('BENCH_TOKENS', 10_000, 1);

const started = performance.now();
const servers: Site[] = [];
const bench = await launchBenchBrowser(resolve(process.env.BENCH_DIST ?? 'dist-test'));
const step = (what: string) => console.log(`… ${what} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
try {
  const version = await bench.ext.context.browser()?.version();
  const browser = `Chromium ${version ?? ''}`.trim();

  // GoodData on its own for the popup, mint and panel measures: its token list grows with every mint.
  const goodData = await startGoodData({ port: 0 });
  servers.push(goodData);
  const tab = await bench.signedInTab(goodDataDemo, goodData);
  const tabId = await bench.ext.tabIdOf(tab);

  step('popup open');
  const popup = await measurePopupOpen(bench, tabId, RUNS);
  step('mint overhead');
  const mint = await measureMintOverhead(bench, tab, tabId, goodDataDemo.logins[0].user, RUNS);

  step('service worker cold start');
  const coldStart = await measureColdStart(bench, RUNS);

  step(`panel with ${TOKENS.toLocaleString('en')} tokens`);
  goodData.addTokens(goodDataDemo.logins[0].user, TOKENS - goodData.tokens(goodDataDemo.logins[0].user).length);
  const listed = goodData.tokens(goodDataDemo.logins[0].user);
  const panel = await measurePanel(bench, tabId, listed.length, listed.at(-1)!.id, RUNS);

  // Last: signing in to the other sites' emulations replaces cookies of 127.0.0.1 (cookies ignore the port).
  step('recognition');
  const recognition: RecognitionFigures[] = [];
  const unknown = await startSite(() => html(200, '<!doctype html><title>Some other app</title><p>Hello'), { port: 0 });
  servers.push(unknown);
  const unknownTab = await bench.ext.context.newPage();
  await unknownTab.goto(`${unknown.origin}/`);
  recognition.push(await measureRecognition(bench, 'unknown site', unknown, unknownTab, RUNS));
  for (const { demo } of emulatedSites) {
    const site = await demo.start(0);
    servers.push(site);
    const signedIn = await bench.signedInTab(demo, site);
    recognition.push(await measureRecognition(bench, demo.name, site, signedIn, RUNS));
    await signedIn.close();
  }

  const sizes = measureSizes(resolve(process.env.BENCH_STORE_DIST ?? 'dist'));
  const table = report({ browser, popup, mint, recognition, coldStart, panel, sizes, seconds: (performance.now() - started) / 1000 });
  const out = process.env.BENCH_OUT ?? 'docs/benchmarks.md';
  await writeFile(resolve(out), table);
  console.log(`\n${table}\nWritten to ${out}`);
} finally {
  await bench.close();
  await Promise.all(servers.map((server) => server.close()));
}
