import { siteError } from '../core/errors.ts';
import type { Site } from './types.ts';

/** Zenodo: placeholder until its adapter lands; claims no origin. */
const notYet = () => Promise.reject(siteError('internal', 'Zenodo is not supported yet.', 'Update Tokenmint.'));

export const zenodo: Site = {
  id: 'zenodo',
  name: 'Zenodo',
  knownHosts: [],
  loginUrl: (origin) => origin,
  probe: async () => ({ kind: 'not-this-site' }),
  mint: notYet,
  list: notYet,
  revoke: notYet,
  verify: notYet,
};
