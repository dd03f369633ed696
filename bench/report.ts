// The benchmark's table, as Markdown: printed, and written to docs/benchmarks.md.
import { cpus, totalmem, type as osType, release } from 'node:os';
import type { ColdStartFigures } from './measure-cold-start.ts';
import type { MintFigures } from './measure-mint.ts';
import type { PanelFigures } from './measure-panel.ts';
import type { PopupFigures } from './measure-popup.ts';
import type { RecognitionFigures } from './measure-recognition.ts';
import type { SizeFigures } from './sizes.ts';
import { BUDGETS } from '../test/build/bundle.ts';
import { describe, ms, type Series } from './stats.ts';

export interface Figures {
  browser: string;
  popup: PopupFigures;
  mint: MintFigures;
  recognition: RecognitionFigures[];
  coldStart: ColdStartFigures;
  panel: PanelFigures;
  sizes: SizeFigures;
  seconds: number;
}

const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;
/** undefined: the issue sets no goal for the figure. */
const verdict = (met: boolean | undefined) => (met === undefined ? '—' : met ? 'met' : '**not met**');
const cell = (series: Series) => describe(series);

export function machine(browser: string): string {
  const cpu = cpus();
  return `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${osType()} ${release()}; Node ${process.version}; ${browser} headless`;
}

export function report(f: Figures, date = new Date()): string {
  const rows: string[][] = [];
  const row = (measure: string, figure: string, beside: string, goal: string, met: boolean | undefined) =>
    rows.push([measure, figure, beside, goal, verdict(met)]);

  row('Popup open → interactive (Token name under the recognised site and user), service worker running, at the address the toolbar opens: ratio', `${f.popup.ratio.toFixed(2)}×`, `popup ${cell(f.popup.popup)}; empty extension page ${cell(f.popup.blank)}`, '≤ 1.3× the empty page', f.popup.ratio <= 1.3);
  row('The same, in milliseconds', ms(f.popup.popup.median), `the empty extension page alone: ${ms(f.popup.blank.median)}`, '≤ 60 ms', f.popup.popup.median <= 60);
  row('Popup open → interactive at the plain popup page (a tab whose address carries no state: drawn from storage)', cell(f.popup.popupFromStorage), `ratio ${(f.popup.popupFromStorage.median / f.popup.blank.median).toFixed(2)}× the empty page`, '—', undefined);
  row('Popup open → Generate token enabled (the background confirmed the site and user)', cell(f.popup.popupConfirmed), `ratio ${(f.popup.popupConfirmed.median / f.popup.blank.median).toFixed(2)}× the empty page`, '—', undefined);
  row('Popup open → interactive, service worker asleep (as after 30 s idle)', cell(f.popup.popupAsleep), `empty extension page in the same rounds: ${cell(f.popup.blankAsleep)}; ratio ${(f.popup.popupAsleep.median / f.popup.blankAsleep.median).toFixed(2)}×`, '—', undefined);
  row('Mint overhead on GoodData (click → New token, minus the same request made by the page)', cell(f.mint.overhead), `click → New token ${cell(f.mint.popup)}; the page's own request ${cell(f.mint.direct)}`, '≤ 10 ms median', f.mint.overhead.median <= 10);
  for (const r of f.recognition) {
    const known = r.site !== 'unknown site';
    row(
      `Recognition, ${r.site}: warm (origin remembered)`,
      `${cell(r.warm)}, ${r.warmRequests} request(s)`,
      `one round trip ${cell(r.roundTrip)}; cold (nothing remembered): ${cell(r.cold)}, ${r.coldRequests} request(s)`,
      known ? '≤ 2 requests, ≤ 1 round trip + extension overhead' : 'no requests once known to be unknown',
      known ? r.warmRequests <= 2 : r.warmRequests === 0,
    );
  }
  row('Service worker cold start → first answered message (p90)', ms(f.coldStart.cold.p90), `median ${cell(f.coldStart.cold)}; running worker ${cell(f.coldStart.warm)}`, '≤ 50 ms p90', f.coldStart.cold.p90 <= 50);
  row(`Panel, ${f.panel.tokens.toLocaleString('en')} tokens: first render`, cell(f.panel.render), `open → first row, listing included: ${cell(f.panel.openToRows)}`, '≤ 150 ms', f.panel.render.median <= 150);
  row(`Panel, ${f.panel.tokens.toLocaleString('en')} tokens: one keystroke in Filter`, cell(f.panel.keystroke), 'value + input event → rendered and laid out', '≤ 16 ms', f.panel.keystroke.median <= 16);
  const s = f.sizes;
  row('Popup JS + CSS, gzip', kb(s.popup.gzip), `${kb(s.popup.raw)} raw`, `≤ 15 kB (budget test: ${kb(BUDGETS.popup)})`, s.popup.gzip <= 15_000);
  row('Panel JS + CSS, gzip', kb(s.panel.gzip), `${kb(s.panel.raw)} raw; options page ${kb(s.options.gzip)} gzip (budget ${kb(BUDGETS.options)})`, `budget test: ${kb(BUDGETS.panel)}`, s.panel.gzip <= BUDGETS.panel);
  row('Service worker JS, gzip', kb(s.worker.gzip), `${kb(s.worker.raw)} raw`, `budget test: ${kb(BUDGETS.worker)}`, s.worker.gzip <= BUDGETS.worker);

  const table = [
    '| Measure | Figure (median) | Beside it | Goal | |',
    '|---|---|---|---|---|',
    ...rows.map((cells) => `| ${cells.join(' | ')} |`),
  ];
  return [
    '# Benchmarks',
    '',
    `Run on ${date.toISOString().slice(0, 10)} by \`npm run bench\` (${f.seconds.toFixed(0)} s), on ${machine(f.browser)}.`,
    'Medians with the 10th–90th percentile spread over n runs; every run after one unmeasured warm-up. Timings come',
    'from the pages’ own clocks (`performance.now()` inside the popup, panel, tab or empty page), not from the driver.',
    'Sizes are of `dist/` (the store build); timings use `dist-test/` (the same code, plus loopback host permissions).',
    '',
    ...table,
    '',
  ].join('\n');
}
