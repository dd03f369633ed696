// 5. The devtools panel (opened as a page on the tab, as the UI contract allows) with 10,000 tokens on GoodData:
// render = from the arrival of the panel-state answer on the panel's port to the table's first row in the DOM;
// filter = one keystroke in the Filter box until the table is updated and laid out.
import type { Page } from 'playwright-core';
import type { BenchBrowser, BenchWindow } from './bench-browser.ts';
import { summarise, type Series } from './stats.ts';

export interface PanelFigures {
  tokens: number;
  /** Navigation start → first row: includes asking the site for every page of the list. */
  openToRows: Series;
  render: Series;
  keystroke: Series;
}

/** One keystroke: the box's new value and its input event, timed until Preact has rendered and the page laid out. */
const KEYSTROKE = `(async (value) => {
  const box = document.querySelector('input[type=search]');
  const started = performance.now();
  box.value = value;
  box.dispatchEvent(new Event('input', { bubbles: true }));
  // Preact renders in a microtask; a message-channel task runs after it, before any frame.
  await new Promise((resolve) => { const channel = new MessageChannel(); channel.port1.onmessage = resolve; channel.port2.postMessage(0); });
  document.body.getBoundingClientRect();
  return performance.now() - started;
})`;

async function openPanel(bench: BenchBrowser, tabId: number): Promise<{ page: Page; openToRows: number; render: number }> {
  const page = await bench.ext.context.newPage();
  await page.goto(`chrome-extension://${bench.ext.id}/src/devtools/panel.html?tabId=${tabId}`);
  const rows = page.waitForFunction(() => (window as BenchWindow).__bench?.firstRow !== undefined, undefined, { timeout: 60_000 });
  const alert = page.getByRole('alert').first();
  await Promise.race([rows, alert.waitFor({ timeout: 60_000 })]);
  if (await alert.isVisible()) throw new Error(`the panel says: ${await alert.innerText()}`);
  const { firstRow, portMessages } = (await page.evaluate('window.__bench')) as { firstRow: number; portMessages: number[] };
  const answered = portMessages.filter((at) => at <= firstRow).at(-1);
  if (answered === undefined) throw new Error('the panel showed rows before its port answered');
  return { page, openToRows: firstRow, render: firstRow - answered };
}

/** `typed`: a token's full name, typed a key at a time; the table must end with that one row. */
export async function measurePanel(bench: BenchBrowser, tabId: number, tokens: number, typed: string, runs: number): Promise<PanelFigures> {
  const openToRows: number[] = [];
  const render: number[] = [];
  const keystroke: number[] = [];
  for (let i = -1; i < runs; i++) {
    const opened = await openPanel(bench, tabId);
    if (i >= 0) {
      openToRows.push(opened.openToRows);
      render.push(opened.render);
    }
    // Keystrokes on the first opening only: each one is a sample, the table stays the same.
    if (i === 0) {
      for (let round = 0; round < 3; round++) {
        for (let end = 1; end <= typed.length; end++) {
          keystroke.push((await opened.page.evaluate(`${KEYSTROKE}(${JSON.stringify(typed.slice(0, end))})`)) as number);
        }
        const shown = await opened.page.locator('tbody tr').count();
        if (shown !== 1) throw new Error(`filtering on ${typed} left ${shown} rows, not 1`);
        keystroke.push((await opened.page.evaluate(`${KEYSTROKE}('')`)) as number);
      }
    }
    await opened.page.close();
  }
  return { tokens, openToRows: summarise(openToRows), render: summarise(render), keystroke: summarise(keystroke) };
}
