/**
 * Build-time constants that vite.config.ts writes into the bundles (`define`), so that each build holds only its own
 * code paths. Outside a build (vitest) they are undefined, i.e. the Chromium store build, unless a test stubs them.
 */
interface ImportMetaEnv {
  /** The Firefox builds (dist-firefox/, dist-test-firefox/). */
  readonly FIREFOX: boolean;
  /** The test builds (dist-test/, dist-test-firefox/), granted the emulated sites' loopback hosts. */
  readonly TEST_BUILD: boolean;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
