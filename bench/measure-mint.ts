// 2. Mint overhead on GoodData: click on Generate token → New token on screen, timed in the popup, next to the same
// create request made by a script in the site's tab; interleaved. The difference is the extension's own work.
import type { Page } from 'playwright-core';
import type { BenchBrowser } from './bench-browser.ts';
import { summarise, type Series } from './stats.ts';

export interface MintFigures {
  popup: Series;
  direct: Series;
  /** Median of the per-run differences (popup − direct of the same round). */
  overhead: Series;
}

/** In the popup: clicks Generate token and resolves with the time until the New token box holds the secret. */
const CLICK_TO_TOKEN = `new Promise((resolve) => {
  const box = () => document.getElementById('new-token');
  const started = performance.now();
  new MutationObserver((_, observer) => {
    // Laid out before the time is taken, as every mark of the bench: whatever the reveal forces itself, or not.
    if (box() && box().value) { observer.disconnect(); document.body.getBoundingClientRect(); resolve(performance.now() - started); }
  }).observe(document.body, { subtree: true, childList: true, attributes: true });
  [...document.querySelectorAll('button')].find((b) => b.textContent === 'Generate token').click();
})`;

/** In the site's tab: the create request the GoodData adapter sends, made by the page itself. */
function directCreate(userId: string, name: string): string {
  return `(async () => {
    const started = performance.now();
    const response = await fetch('/api/v1/entities/users/${userId}/apiTokens', {
      method: 'POST', credentials: 'include', redirect: 'manual', cache: 'no-store',
      headers: { 'X-Requested-With': 'XMLHttpRequest', Accept: 'application/json', 'Content-Type': 'application/json' },
      body: JSON.stringify({ data: { id: ${JSON.stringify(name)}, type: 'apiToken' } }),
    });
    const body = await response.text();
    if (response.status !== 201 || !body.includes('bearerToken')) throw new Error('direct create failed: HTTP ' + response.status);
    return performance.now() - started;
  })()`;
}

export async function measureMintOverhead(bench: BenchBrowser, tab: Page, tabId: number, userId: string, runs: number): Promise<MintFigures> {
  const popup: number[] = [];
  const direct: number[] = [];
  for (let i = -1; i < runs; i++) {
    const { page } = await bench.openReady(`src/popup/index.html?tabId=${tabId}`, 'confirmed');
    const viaPopup = (await page.evaluate(CLICK_TO_TOKEN)) as number;
    bench.ext.noteSecret(await page.locator('#new-token').inputValue());
    await page.getByRole('button', { name: 'Done' }).click();
    // The reveal has ended once the form is back; only then may the next popup open on the form.
    await page.locator('#token-name').waitFor();
    await page.close();
    const viaPage = (await tab.evaluate(directCreate(userId, `bench-direct-${Date.now()}-${i + 1}`))) as number;
    if (i < 0) continue;
    popup.push(viaPopup);
    direct.push(viaPage);
  }
  return { popup: summarise(popup), direct: summarise(direct), overhead: summarise(popup.map((value, i) => value - direct[i]!)) };
}
