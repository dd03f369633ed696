import type { Plugin } from 'vite';

/**
 * Inlines the stylesheets an HTML page links into the page itself. Each file an extension page loads goes through the
 * browser's extension protocol and costs the popup's first paint a few milliseconds (`npm run bench`); a linked
 * stylesheet also holds the page's module script back until it has loaded. The files stay in the bundle for the other
 * pages that link them. The extension's CSP restricts scripts, not styles, so an inline `<style>` is allowed.
 */
export function inlineCss(htmlFile: string): Plugin {
  return {
    name: 'tokenmint:inline-css',
    enforce: 'post',
    generateBundle(_, bundle) {
      const page = bundle[htmlFile];
      if (page?.type !== 'asset' || typeof page.source !== 'string') return;
      page.source = page.source.replace(/<link rel="stylesheet"[^>]*href="\/([^"]+\.css)"[^>]*>/g, (link, file: string) => {
        const css = bundle[file];
        return css?.type === 'asset' ? `<style>${String(css.source)}</style>` : link;
      });
    },
  };
}
