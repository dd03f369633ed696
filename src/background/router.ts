import browser, { type Runtime } from 'webextension-polyfill';
import { siteError, toUserError } from '../core/errors.ts';
import { isEnvelope, type Answer, type MessageKind, type Payload, type Reply } from '../core/messages.ts';
import { siteById } from '../sites/index.ts';
import { awaitJob, startMint } from './mint-jobs.ts';
import { endReveal } from './reveals.ts';
import { isOwnPage } from './sender.ts';
import { tabOrigin, tabState } from './tab-state.ts';

type Handlers = { [K in MessageKind]: (payload: Payload<K>) => Promise<Answer<K>> };

const handlers: Handlers = {
  'tab-state': ({ tabId }) => tabState(tabId),

  async mint({ tabId, origin, siteId, ...input }) {
    const site = siteById(siteId);
    if (!site) throw siteError('internal', 'Tokenmint does not know that site.', 'Reopen Tokenmint on the site.');
    // The tab may have left the site between the popup opening and the click.
    if ((await tabOrigin(tabId)) !== origin) {
      throw siteError('navigated', `The tab is no longer on ${new URL(origin).host}.`, 'Go back to the site and try again.');
    }
    return startMint({ tabId, origin, site, input });
  },

  'await-job': ({ jobId }) => awaitJob(jobId),

  async 'end-reveal'({ revealId }) {
    await endReveal(revealId);
    return null;
  },
};

const refused: Reply<never> = {
  ok: false,
  error: {
    code: 'internal',
    sentence: 'Tokenmint refused a request from outside the extension.',
    next: 'Use Tokenmint from its toolbar button.',
  },
};

async function dispatch<K extends MessageKind>(kind: K, payload: Payload<K>): Promise<Reply<Answer<K>>> {
  try {
    return { ok: true, value: await (handlers[kind] as (p: Payload<K>) => Promise<Answer<K>>)(payload) };
  } catch (error) {
    return { ok: false, error: toUserError(error) };
  }
}

export function listen(): void {
  const runtimeId = browser.runtime.id;
  const ownOrigin = browser.runtime.getURL('').replace(/\/$/, '');
  browser.runtime.onMessage.addListener((message: unknown, sender: Runtime.MessageSender) => {
    if (!isOwnPage(sender, runtimeId, ownOrigin) || !isEnvelope(message)) return Promise.resolve(refused);
    return dispatch(message.kind, message.payload);
  });
}
