import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import browser from 'webextension-polyfill';
import type { PanelState } from '../core/messages.ts';
import type { Reveal } from '../core/token.ts';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';
import { RevealCard } from '../ui/RevealCard.tsx';
import { connectPanel } from './connection.ts';
import { claimedOrigin, type InspectedTab } from './inspected.ts';
import { TokenTable } from './TokenTable.tsx';
import { Traffic } from './Traffic.tsx';
import { listed, t } from '../core/i18n.ts';

export function Panel({ tabId, inDevtools }: InspectedTab) {
  const [state, setState] = useState<PanelState | null>(null);
  const [loading, setLoading] = useState(true);
  const [reveal, setReveal] = useState<Reveal | null>(null);
  // Pushes (navigation, access changes, a reconnect) reload with the newest `load`.
  const reload = useRef(() => {});
  const connection = useMemo(() => connectPanel(tabId, () => reload.current()), [tabId]);

  async function load() {
    setLoading(true);
    const reply = await connection.request('panel-state', { tabId, claimedOrigin: await claimedOrigin(inDevtools) });
    setState(reply.ok ? reply.value : { status: 'failed', origin: '', error: reply.error });
    setLoading(false);
  }
  reload.current = () => void load();

  useEffect(() => {
    void load();
    return () => connection.close();
  }, [connection]);

  async function allow(origin: string) {
    // Asked from the click itself: the browser only prompts in answer to a user gesture.
    if (await browser.permissions.request({ origins: [`${origin}/*`] })) await load();
  }

  if (reveal) {
    const done = async () => {
      await connection.request('end-reveal', { revealId: reveal.id });
      setReveal(null);
      await load();
    };
    const keep = () => connection.request('keep-reveal', { revealId: reveal.id });
    const copy = (what: 'secret' | 'header') => connection.request('copy', { from: 'reveal', id: reveal.id, what });
    return <RevealCard key={reveal.id} reveal={reveal} onDone={() => void done()} onKeep={keep} onCopy={copy} />;
  }

  const refresh = (
    <button type="button" onClick={() => void load()} disabled={loading}>
      {t('panel_refresh')}
    </button>
  );
  if (!state) return <p class="muted">{t('panel_loading')}</p>;
  switch (state.status) {
    case 'no-page':
      return (
        <p class="muted">
          {t('panel_noPage')} {refresh}
        </p>
      );
    case 'no-access':
      return (
        <section>
          <p>
            {state.origin ? t('panel_noAccess', new URL(state.origin).host) : t('panel_noAccessUnknown')}
          </p>
          <div class="toolbar">
            <button type="button" class="primary" disabled={!state.origin} onClick={() => void allow(state.origin)}>
              {t('panel_allow')}
            </button>
            {refresh}
          </div>
        </section>
      );
    case 'unsupported':
      return (
        <section>
          <p>{t('panel_unsupported', new URL(state.origin).host, listed(state.siteNames))}</p>
          {refresh}
        </section>
      );
    case 'failed':
      return (
        <section>
          <ErrorAlert error={state.error} />
          {refresh}
        </section>
      );
    case 'listed':
      return (
        <section class="listed" aria-busy={loading}>
          <header class="toolbar">
            <h1>{state.site.name}</h1>
            <span class="muted">
              {new URL(state.origin).host}
              {state.user && ` · ${state.user.name}`}
            </span>
            {refresh}
          </header>
          {state.error && <ErrorAlert error={state.error} />}
          <TokenTable
            rows={state.rows}
            site={state.site}
            request={connection.request}
            row={{ tabId, origin: state.origin, siteId: state.site.id }}
            onChanged={() => void load()}
            onReveal={setReveal}
          />
          {inDevtools && <Traffic request={connection.request} />}
        </section>
      );
  }
}
