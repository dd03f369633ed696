import { siteError } from '../core/errors.ts';
import type { Site } from './types.ts';

/** CDS: placeholder until its adapter lands; claims no origin. */
const notYet = () => Promise.reject(siteError('internal', 'CDS is not supported yet.', 'Update Tokenmint.'));

export const cds: Site = {
  id: 'cds',
  name: 'CDS',
  knownHosts: [],
  loginUrl: (origin) => origin,
  probe: async () => ({ kind: 'not-this-site' }),
  mint: notYet,
  list: notYet,
  revoke: notYet,
  verify: notYet,
};
