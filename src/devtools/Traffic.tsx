import { useEffect, useState } from 'preact/hooks';
import browser from 'webextension-polyfill';
import { sha256Hex } from '../core/digest.ts';
import type { PanelConnection } from './connection.ts';
import { credentialsIn, type HarEntry } from './credential-headers.ts';
import { t } from '../core/i18n.ts';

const KEEP_LAST = 50;

interface Seen {
  id: number;
  where: string;
  header: string;
  masked: string;
  /** The kept token it matches, null when none, undefined while asking. */
  kept?: string | null;
}

/**
 * Credential headers the inspected page sends, masked, and which kept token each is. Values are only hashed on the
 * spot, never kept: the list holds masks and names.
 */
export function Traffic({ request }: { request: PanelConnection['request'] }) {
  const [seen, setSeen] = useState<Seen[]>([]);

  useEffect(() => {
    let next = 1;
    const onRequest = async (entry: HarEntry) => {
      for (const { candidates, ...shown } of credentialsIn(entry)) {
        const item: Seen = { id: next++, ...shown };
        setSeen((list) => [item, ...list].slice(0, KEEP_LAST));
        const digests = await Promise.all(candidates.map(sha256Hex));
        const reply = await request('match-credentials', { digests });
        const kept = reply.ok ? (reply.value.find((found) => found !== null) ?? null) : null;
        setSeen((list) => list.map((other) => (other.id === item.id ? { ...other, kept } : other)));
      }
    };
    const listener = (entry: unknown) => void onRequest(entry as HarEntry);
    browser.devtools.network.onRequestFinished.addListener(listener);
    return () => browser.devtools.network.onRequestFinished.removeListener(listener);
  }, [request]);

  return (
    <section class="traffic" aria-labelledby="traffic-title">
      <h2 id="traffic-title">{t('panel_trafficTitle')}</h2>
      {seen.length === 0 ? (
        <p class="muted">{t('panel_trafficEmpty')}</p>
      ) : (
        <ul>
          {seen.map((item) => (
            <li key={item.id}>
              <code>{item.header}</code> <span class="mono">{item.masked}</span> <span class="muted">{item.where}</span>{' '}
              {item.kept === undefined ? '…' : item.kept ? t('panel_trafficKept', item.kept) : t('panel_trafficUnknown')}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
