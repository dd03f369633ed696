import { t } from '../core/i18n.ts';

// Imported first by every page: the page says it is in the language its messages are in (the browser's, or English
// where Tokenmint has no catalogue for it), so screen readers pronounce it right.
document.documentElement.lang = t('ext_locale');
