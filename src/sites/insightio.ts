import { siteError } from '../core/errors.ts';
import type { Site } from './types.ts';

/** Insight.io: placeholder until its adapter lands; claims no origin. */
const notYet = () => Promise.reject(siteError('internal', 'Insight.io is not supported yet.', 'Update Tokenmint.'));

export const insightio: Site = {
  id: 'insightio',
  name: 'Insight.io',
  knownHosts: [],
  loginUrl: (origin) => origin,
  probe: async () => ({ kind: 'not-this-site' }),
  mint: notYet,
  list: notYet,
  revoke: notYet,
  verify: notYet,
};
