import * as cds from './cds.ts';
import * as frappe from './frappe.ts';
import * as gitlab from './gitlab.ts';
import * as gooddata from './gooddata.ts';
import * as insightio from './insightio.ts';
import * as nextcloud from './nextcloud.ts';
import * as sentry from './sentry.ts';
import * as zenodo from './zenodo.ts';

/** Every emulated site, for `npm start` and the tests that run against all of them. */
export const emulatedSites = [gooddata, cds, frappe, zenodo, insightio];

/** The emulated sites of the built-in recipes (src/sites/recipes/), in the recipes' order; `npm start` runs them too. */
export const recipeEmulatedSites = [sentry, gitlab, nextcloud];
