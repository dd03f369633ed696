import * as gooddata from './gooddata.ts';

/** Every emulated site, for `npm start` and the tests that run against all of them. */
export const emulatedSites = [gooddata];
