import { siteError } from '../core/errors.ts';
import type { Site } from './types.ts';

/** Frappe: placeholder until its adapter lands; claims no origin. */
const notYet = () => Promise.reject(siteError('internal', 'Frappe is not supported yet.', 'Update Tokenmint.'));

export const frappe: Site = {
  id: 'frappe',
  name: 'Frappe',
  knownHosts: [],
  loginUrl: (origin) => origin,
  probe: async () => ({ kind: 'not-this-site' }),
  mint: notYet,
  list: notYet,
  revoke: notYet,
  verify: notYet,
};
