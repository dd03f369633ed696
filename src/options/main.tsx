import '../ui/page-language.ts';
import { render } from 'preact';
import { Options } from './Options.tsx';
import { t } from '../core/i18n.ts';

document.title = t('options_title');
render(<Options />, document.getElementById('app')!);
