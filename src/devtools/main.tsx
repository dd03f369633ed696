import { render } from 'preact';
import { Panel } from './Panel.tsx';
import { inspectedTab } from './inspected.ts';

const target = inspectedTab();
render(
  target ? <Panel {...target} /> : <p class="muted">Open this panel from DevTools, or with ?tabId=N.</p>,
  document.getElementById('app')!,
);
