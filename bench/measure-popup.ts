// 1. Popup open → interactive, next to the empty extension page opened the same way, interleaved so both see the
// same machine. Both times are the page's own clock from its navigation start to "usable".
import type { BenchBrowser } from './bench-browser.ts';
import { BLANK_PAGE } from './bench-browser.ts';
import { summarise, type Series } from './stats.ts';

export interface PopupFigures {
  /** Navigation start → Token name on screen under the site's name and the user's. */
  popup: Series;
  /** … → Generate token enabled: the background has confirmed what was drawn. */
  popupConfirmed: Series;
  /** The same with the service worker stopped first, as after 30 s idle: the usual case for a toolbar click. */
  popupAsleep: Series;
  blank: Series;
  /** Median popup over median blank page. */
  ratio: number;
}

export async function measurePopupOpen(bench: BenchBrowser, tabId: number, runs: number): Promise<PopupFigures> {
  const popup: number[] = [];
  const popupConfirmed: number[] = [];
  const popupAsleep: number[] = [];
  const blank: number[] = [];
  // One unmeasured round each: the first opening compiles and caches what later ones reuse, as a user's browser has.
  for (let i = -1; i < runs; i++) {
    const empty = await bench.openReady(BLANK_PAGE);
    await empty.page.close();
    const opened = await bench.openReady(`src/popup/index.html?tabId=${tabId}`, 'confirmed');
    await opened.page.close();
    await bench.ext.stopWorker();
    const woken = await bench.openReady(`src/popup/index.html?tabId=${tabId}`);
    await woken.page.close();
    if (i < 0) continue;
    blank.push(empty.readyAt);
    popup.push(opened.readyAt);
    popupConfirmed.push(opened.confirmedAt!);
    popupAsleep.push(woken.readyAt);
  }
  const figures = { popup: summarise(popup), popupConfirmed: summarise(popupConfirmed), popupAsleep: summarise(popupAsleep), blank: summarise(blank) };
  return { ...figures, ratio: figures.popup.median / figures.blank.median };
}
