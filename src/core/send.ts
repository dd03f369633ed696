import { pageApi } from './page-api.ts';
import type { Answer, Envelope, MessageKind, Payload, Reply } from './messages.ts';
import { t } from './i18n.ts';

/** Sends a typed message to the background; a background that is gone answers like any other failure. */
export async function send<K extends MessageKind>(kind: K, payload: Payload<K>): Promise<Reply<Answer<K>>> {
  const envelope: Envelope<K> = { kind, payload };
  try {
    const reply = (await pageApi.runtime.sendMessage(envelope)) as Reply<Answer<K>> | undefined;
    if (reply) return reply;
  } catch {
    // the worker was stopped mid-answer: reported below
  }
  return {
    ok: false,
    error: {
      code: 'interrupted',
      sentence: t('error_backgroundStopped'),
      next: t('error_backgroundStoppedNext'),
    },
  };
}
