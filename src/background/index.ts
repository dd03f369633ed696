import { listen } from './router.ts';

// Registered synchronously at start-up so that a message that wakes the worker is not missed.
listen();
