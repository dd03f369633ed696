// The set-up the accessibility and keyboard e2e files share: one browser with the test build and the GoodData and CDS
// emulations (the two sites whose popup and panel show every kind of control), for the whole file.
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { Page } from 'playwright-core';
import type { DemoSite } from '../../scripts/demo.ts';
import { startCds, type CdsSite } from '../sites/cds.ts';
import { startGoodData, type GoodDataSite } from '../sites/gooddata.ts';
import type { Site } from '../sites/harness.ts';
import { launchExtension, type Extension } from './extension.ts';

export interface TwoSites {
  readonly ext: Extension;
  readonly gooddata: GoodDataSite;
  readonly cds: CdsSite;
  /** A new tab signed in through the site's own form, with the demo's first login. */
  signedIn(site: Site, demo: DemoSite): Promise<Page>;
}

/**
 * Registers the file's hooks: call once, at the top level. After each test: no tabs, nothing the extension kept, no
 * cookies, no faults nor logged requests. What a test adds to a site (tokens) stays for the file.
 */
export function useTwoSites(): TwoSites {
  let started: { ext: Extension; gooddata: GoodDataSite; cds: CdsSite } | undefined;
  const running = () => {
    if (!started) throw new Error('the browser and sites start in a beforeAll hook of useTwoSites');
    return started;
  };

  beforeAll(async () => {
    const [gooddata, cds, ext] = await Promise.all([startGoodData(), startCds(), launchExtension()]);
    started = { ext, gooddata, cds };
  });
  afterAll(async () => {
    await started?.ext.close();
    await Promise.all([started?.gooddata.close(), started?.cds.close()]);
  });
  afterEach(async () => {
    const { ext, gooddata, cds } = running();
    for (const page of ext.context.pages()) await page.close();
    await ext.reset();
    for (const site of [gooddata, cds]) {
      site.clearFaults();
      site.clearRequests();
    }
  });

  return {
    get ext() {
      return running().ext;
    },
    get gooddata() {
      return running().gooddata;
    },
    get cds() {
      return running().cds;
    },
    async signedIn(site, demo) {
      const tab = await running().ext.context.newPage();
      await tab.goto(`${site.origin}${demo.signInPath}`);
      await demo.signIn(tab, site.origin, demo.logins[0]);
      return tab;
    },
  };
}
