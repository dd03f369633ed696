// tab-lookup first: it asks the background about the tab (and storage for the last state shown) before Preact and
// the app are evaluated and rendered.
import './tab-lookup.ts';
import './mount.tsx';
