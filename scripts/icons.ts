// Renders icons/icon.svg to the PNG sizes the extension manifest uses.
// Run: npx tsx scripts/icons.ts
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { chromiumPath, quietChromiumArgs } from '../test/e2e/extension.ts';

const iconsDir = fileURLToPath(new URL('../icons/', import.meta.url));
const sizes = [16, 32, 48, 128];

const svg = await readFile(`${iconsDir}icon.svg`, 'utf8');
const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: quietChromiumArgs });
try {
  for (const size of sizes) {
    const page = await browser.newPage({ viewport: { width: size, height: size }, deviceScaleFactor: 1 });
    // Inline the SVG (no file:// or network access) and stretch it over the whole viewport.
    await page.setContent(
      `<style>html,body{margin:0;background:transparent}svg{display:block;width:100vw;height:100vh}</style>${svg}`,
    );
    await page.screenshot({ path: `${iconsDir}icon-${size}.png`, omitBackground: true });
    await page.close();
    console.log(`icons/icon-${size}.png`);
  }
} finally {
  await browser.close();
}
