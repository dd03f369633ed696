import { servePanels } from './panel-port.ts';
import { listen } from './router.ts';
import { openPopupTabOnInstall } from './test-build.ts';

// Registered synchronously at start-up so that a message or port that wakes the worker is not missed.
listen();
servePanels();
// Firefox test builds: WebDriver cannot open an extension page there, so the add-on opens one (dead code elsewhere).
if (import.meta.env.FIREFOX && import.meta.env.TEST_BUILD) openPopupTabOnInstall();
