// 1. Popup open → interactive, next to the empty extension page opened the same way, interleaved so both see the
// same machine. Both times are the page's own clock from its navigation start to "usable".
import type { BenchBrowser } from './bench-browser.ts';
import { BLANK_PAGE } from './bench-browser.ts';
import { summarise, type Series } from './stats.ts';

export interface PopupFigures {
  /**
   * Navigation start → Token name on screen under the site's name and the user's; the service worker running; the
   * popup opened at the address the toolbar button would open, which carries the state to draw.
   */
  popup: Series;
  /** The same at the plain popup page, as for a tab whose address carries nothing: drawn from storage. */
  popupFromStorage: Series;
  /** … → Generate token enabled: the background has confirmed what was drawn. */
  popupConfirmed: Series;
  blank: Series;
  /** Median popup over median blank page. */
  ratio: number;
  /** The same with the service worker stopped first, as after 30 s idle: the first click after a pause. */
  popupAsleep: Series;
  /** The empty page of the rounds with the worker asleep. */
  blankAsleep: Series;
}

/**
 * Two series, each of rounds {empty page, popup}: one with the worker running, as for a popup opened again within
 * half a minute (each round also opens the plain page, whose first paint waits for storage), one with it stopped
 * before each popup. The toolbar's address is read before each round, outside the times. They are kept apart because a worker started a moment ago
 * is still compiling and filling its caches while the next popup opens: mixed rounds would measure that instead.
 */
export async function measurePopupOpen(bench: BenchBrowser, tabId: number, runs: number): Promise<PopupFigures> {
  const plainPath = `src/popup/index.html?tabId=${tabId}`;
  const popup: number[] = [];
  const popupConfirmed: number[] = [];
  const popupFromStorage: number[] = [];
  const blank: number[] = [];
  // One unmeasured round each: the first opening compiles and caches what later ones reuse, as a user's browser has.
  for (let i = -1; i < runs; i++) {
    const empty = await bench.openReady(BLANK_PAGE);
    await empty.page.close();
    const opened = await bench.openReady(await bench.ext.toolbarPopupPath(tabId), 'confirmed');
    await opened.page.close();
    const plain = await bench.openReady(plainPath, 'confirmed');
    await plain.page.close();
    if (i < 0) continue;
    blank.push(empty.readyAt);
    popup.push(opened.readyAt);
    popupConfirmed.push(opened.confirmedAt!);
    popupFromStorage.push(plain.readyAt);
  }
  const popupAsleep: number[] = [];
  const blankAsleep: number[] = [];
  for (let i = -1; i < runs; i++) {
    const empty = await bench.openReady(BLANK_PAGE);
    await empty.page.close();
    const toolbarPath = await bench.ext.toolbarPopupPath(tabId);
    await bench.ext.stopWorker();
    const woken = await bench.openReady(toolbarPath);
    await woken.page.close();
    if (i < 0) continue;
    blankAsleep.push(empty.readyAt);
    popupAsleep.push(woken.readyAt);
  }
  const figures = {
    popup: summarise(popup),
    popupConfirmed: summarise(popupConfirmed),
    popupFromStorage: summarise(popupFromStorage),
    blank: summarise(blank),
  };
  return {
    ...figures,
    ratio: figures.popup.median / figures.blank.median,
    popupAsleep: summarise(popupAsleep),
    blankAsleep: summarise(blankAsleep),
  };
}
