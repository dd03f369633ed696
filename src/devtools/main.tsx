import '../ui/page-language.ts';
import { render } from 'preact';
import { Panel } from './Panel.tsx';
import { inspectedTab } from './inspected.ts';
import { t } from '../core/i18n.ts';

document.title = t('panel_title');
const target = inspectedTab();
render(
  target ? <Panel {...target} /> : <p class="muted">{t('panel_noTarget')}</p>,
  document.getElementById('app')!,
);
