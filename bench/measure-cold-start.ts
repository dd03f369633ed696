// 4. Service worker cold start: the worker is stopped as the browser stops an idle one, then an extension page sends
// a message; timed in the page from the send to the answer. The same message to the running worker is shown beside.
import { timedMessage, type BenchBrowser } from './bench-browser.ts';
import { summarise, type Series } from './stats.ts';

export interface ColdStartFigures {
  cold: Series;
  warm: Series;
}

export async function measureColdStart(bench: BenchBrowser, runs: number): Promise<ColdStartFigures> {
  const { page } = await bench.openReady('bench-blank.html');
  const cold: number[] = [];
  const warm: number[] = [];
  for (let i = -1; i < runs; i++) {
    await bench.ext.stopWorker();
    const first = await timedMessage(page, 'settings-get', {});
    const second = await timedMessage(page, 'settings-get', {});
    if (!first.ok || !second.ok) throw new Error('settings-get failed');
    if (!(await bench.ext.workerIsFresh())) throw new Error('the worker did not restart');
    if (i < 0) continue;
    cold.push(first.ms);
    warm.push(second.ms);
  }
  await page.close();
  return { cold: summarise(cold), warm: summarise(warm) };
}
