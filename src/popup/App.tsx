import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { UserError } from '../core/errors.ts';
import type { Reply, TabState } from '../core/messages.ts';
import { send } from '../core/send.ts';
import type { Reveal } from '../core/token.ts';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';
import { MintForm } from './MintForm.tsx';
import { RevealCard } from '../ui/RevealCard.tsx';
import { openInTab } from './target-tab.ts';
import { lastShown, shownAtOnce, tabLookup, type Drawn } from './tab-lookup.ts';
import { listed, t } from '../core/i18n.ts';

/**
 * A mint answered sooner than this never shows its busy state: it would only flash, and drawing it takes the popup's
 * main thread while the answer is on its way (about 2 ms of a GoodData mint's overhead in `npm run bench`).
 */
const BUSY_AFTER_MS = 100;

type View =
  | { kind: 'loading' }
  | { kind: 'failed'; error: UserError }
  | { kind: 'tab'; tabId: number; state: TabState };

const drawnView = ({ tabId, state }: Drawn): View => ({ kind: 'tab', tabId, state: { ...state, reveals: [] } });

/** What the first render draws: the state in the popup's address when there is one, else a wait. */
function firstView(): View {
  const drawn = shownAtOnce();
  return drawn ? drawnView(drawn) : { kind: 'loading' };
}

export function App() {
  const [view, setView] = useState<View>(firstView);
  const [reveals, setReveals] = useState<Reveal[]>([]);
  const [working, setWorking] = useState(false);
  // Set at the click, before the busy state is drawn: a second click meanwhile starts nothing.
  const minting = useRef(false);
  const [mintError, setMintError] = useState<UserError | null>(null);
  // False while the view is the last state shown on this origin, drawn before the background's answer.
  const [confirmed, setConfirmed] = useState(false);

  async function load() {
    const lookup = await tabLookup();
    if (lookup.tabId === undefined) {
      setView({ kind: 'failed', error: { code: 'no-access', sentence: t('popup_noTab'), next: t('popup_noTabNext') } });
      return;
    }
    const { tabId, reply } = lookup;
    setConfirmed(true);
    if (!reply.ok) return setView({ kind: 'failed', error: reply.error });
    setView({ kind: 'tab', tabId, state: reply.value });
    setReveals(reply.value.reveals);
    // Reopened while a mint is still running: wait for it here as if the popup had never closed.
    if (reply.value.status === 'ready' && reply.value.job) void finish(send('await-job', { jobId: reply.value.job.id }), 0);
  }

  async function finish(pending: Promise<Reply<Reveal>>, busyAfterMs: number) {
    minting.current = true;
    setMintError(null);
    const busy = setTimeout(() => setWorking(true), busyAfterMs);
    const reply = await pending;
    clearTimeout(busy);
    minting.current = false;
    setWorking(false);
    if (reply.ok) setReveals((list) => [...list.filter((r) => r.id !== reply.value.id), reply.value]);
    else setMintError(reply.error);
  }

  async function done(reveal: Reveal) {
    await send('end-reveal', { revealId: reveal.id });
    const rest = reveals.filter((r) => r.id !== reveal.id);
    setReveals(rest);
    // A fresh name suggestion and the live user for the next token.
    if (rest.length === 0) await load();
  }

  // A layout effect, not an effect: Preact runs effects only after the next frame, which is what this races.
  useLayoutEffect(() => {
    void load();
    void lastShown().then((shown) => {
      if (shown) setView((view) => (view.kind === 'loading' ? drawnView(shown) : view));
    });
  }, []);

  const [reveal] = reveals;
  if (reveal) {
    const keep = () => send('keep-reveal', { revealId: reveal.id });
    const copy = (what: 'secret' | 'header') => send('copy', { from: 'reveal', id: reveal.id, what });
    return <RevealCard key={reveal.id} reveal={reveal} onDone={() => void done(reveal)} onKeep={keep} onCopy={copy} />;
  }
  if (view.kind === 'loading') return <p class="muted">{t('popup_loading')}</p>;
  if (view.kind === 'failed') return <ErrorAlert error={view.error} />;

  const { state, tabId } = view;
  const follow = (url: string) => void openInTab(tabId, url);
  switch (state.status) {
    case 'no-page':
      return <p class="muted">{t('popup_noPage')}</p>;
    case 'unsupported':
      return (
        <section>
          <h1>{t('popup_unsupportedTitle')}</h1>
          <p>{t('popup_unsupported', new URL(state.origin).host)}</p>
          <p class="muted">{t('popup_supportedSites', listed(state.siteNames))}</p>
        </section>
      );
    case 'failed':
      return <ErrorAlert error={state.error} onLink={follow} />;
    case 'signed-out':
      return (
        <section>
          <h1>{state.site.name}</h1>
          <ErrorAlert error={state.error} onLink={follow} />
        </section>
      );
    case 'ready':
      return (
        <section>
          <h1>{state.site.name}</h1>
          <p class="user">
            {t('popup_signedInAs')} <strong>{state.user.name}</strong>
            {state.user.org && <> · {state.user.org}</>}
          </p>
          <p class="muted host">{new URL(state.origin).host}</p>
          {state.notice && <ErrorAlert error={state.notice} />}
          <MintForm
            // A mint found running (the popup reopened mid-mint) is a form of its own, filled with that mint's name,
            // not whatever was drawn before the background's answer.
            key={state.job?.id ?? 'new'}
            form={state.form}
            initialName={state.job?.name}
            user={state.user}
            working={working}
            confirming={!confirmed}
            error={mintError}
            onGenerate={(input) => {
              if (!minting.current) void finish(send('mint', { tabId, origin: state.origin, siteId: state.site.id, ...input }), BUSY_AFTER_MS);
            }}
            onLink={follow}
          />
        </section>
      );
  }
}
