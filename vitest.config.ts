import { defineConfig } from 'vitest/config';

// Four projects: fast unit tests (Node, parallel); checks of the built extension; e2e tests that drive one Chromium
// each and so run one file at a time on these 2-core machines; the same for Firefox.
export default defineConfig({
  test: {
    // The plain "N passed, N failed" closing line CI reads; the default reporter stays for people.
    reporters: ['default', './test/summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'test/unit/**/*.test.ts', 'test/sites/**/*.test.ts'],
          environment: 'node',
          // Node has no chrome.i18n: the English catalogue stands in for it.
          setupFiles: ['test/unit/i18n-setup.ts'],
        },
      },
      {
        test: {
          name: 'build',
          include: ['test/build/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          // The Firefox test build in Debian's firefox-esr (puppeteer-core over WebDriver BiDi).
          name: 'firefox',
          include: ['test/firefox/**/*.test.ts'],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
