import { servePanels } from './panel-port.ts';
import { listen } from './router.ts';

// Registered synchronously at start-up so that a message or port that wakes the worker is not missed.
listen();
servePanels();
