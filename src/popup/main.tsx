// The popup's entry is kept tiny: it asks the background about the tab at once, and the app's code (Preact, the
// form, the reveal) loads while the background recognises the site.
import './tab-lookup.ts';

void import('./mount.tsx');
