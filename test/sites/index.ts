import * as cds from './cds.ts';
import * as frappe from './frappe.ts';
import * as gooddata from './gooddata.ts';
import * as insightio from './insightio.ts';
import * as zenodo from './zenodo.ts';

/** Every emulated site, for `npm start` and the tests that run against all of them. */
export const emulatedSites = [gooddata, cds, frappe, zenodo, insightio];
