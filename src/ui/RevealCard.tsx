import { useEffect, useState } from 'preact/hooks';
import type { Reply } from '../core/messages.ts';
import type { Reveal } from '../core/token.ts';
import { t } from '../core/i18n.ts';
import { focusOnMount } from './focus.ts';

/** What a copy through the background answers: when the clipboard clears again (epoch ms), null for never. */
export type CopyReply = Reply<{ clearsAt: number | null }>;

interface Props {
  reveal: Reveal;
  onDone: () => void;
  /** Keeps the token in the extension; resolves to true once kept. */
  onKeep: () => Promise<Reply<{ mode: 'session' | 'persistent' }>>;
  /** Copies the token, or its header line, through the background (which clears the clipboard again later). */
  onCopy: (what: 'secret' | 'header') => Promise<CopyReply>;
}

type Said = 'idle' | 'copied' | 'copied-header' | 'copy-failed';

/** Re-renders about four times a second until `until` (epoch ms) has passed; returns the time now. */
export function useClock(until: number | null): number {
  const [, tick] = useState(0);
  useEffect(() => {
    if (until === null) return;
    const timer = setInterval(() => {
      tick((count) => count + 1);
      if (Date.now() >= until) clearInterval(timer);
    }, 250);
    return () => clearInterval(timer);
  }, [until]);
  return Date.now();
}

/** Whole seconds from `now` until `until`, rounded up (what a countdown shows). */
export function secondsLeft(until: number, now: number): number {
  return Math.max(0, Math.ceil((until - now) / 1000));
}

/** The one place a secret is shown in full. */
export function RevealCard({ reveal, onDone, onKeep, onCopy }: Props) {
  const [kept, setKept] = useState(false);
  const [keptSaid, setKeptSaid] = useState('');

  async function keep() {
    const reply = await onKeep();
    setKept(reply.ok);
    if (!reply.ok) return setKeptSaid(`${reply.error.sentence} ${reply.error.next}`);
    setKeptSaid(
      reply.value.mode === 'persistent'
        ? t('reveal_keptVault')
        : t('reveal_keptSession'),
    );
  }

  const [said, setSaid] = useState<Said>('idle');
  const [failure, setFailure] = useState('');
  const [clearsAt, setClearsAt] = useState<number | null>(null);
  const now = useClock(clearsAt);

  async function copy(what: 'secret' | 'header') {
    const reply = await onCopy(what);
    if (!reply.ok) {
      setFailure(`${reply.error.sentence} ${reply.error.next}`);
      return setSaid('copy-failed');
    }
    setClearsAt(reply.value.clearsAt);
    setSaid(what === 'secret' ? 'copied' : 'copied-header');
  }
  const { header } = reveal;
  const headerName = header?.split(':')[0];
  // Counted down here from the background's due time; the background does the clearing, popup open or not.
  const counting = clearsAt !== null && now < clearsAt;
  const cleared = clearsAt !== null && !counting && (said === 'copied' || said === 'copied-header');

  return (
    <section class="reveal" aria-labelledby="reveal-title">
      <h1 id="reveal-title">{t('reveal_title', reveal.name)}</h1>
      <p class="meta">
        {reveal.siteName} · {new URL(reveal.origin).host} · {t('reveal_actsAs', reveal.owner)}
      </p>
      <label for="new-token">{t('reveal_newToken')}</label>
      {/* A wrapping box: the whole credential stays visible, so it can be checked by eye before it is used. */}
      <textarea
        id="new-token"
        class="secret"
        readOnly
        rows={3}
        value={reveal.secret}
        autoComplete="off"
        spellcheck={false}
        onFocus={(event) => event.currentTarget.select()}
      />
      <p class="warning">
        {reveal.shownOnce ? t('reveal_shownOnce', reveal.siteName) : t('reveal_staysUntilDone')}
      </p>
      <div class="actions">
        <button type="button" class="primary" ref={focusOnMount} onClick={() => void copy('secret')}>
          {t('reveal_copy')}
        </button>
        {header && (
          // Named after the header, not "Copy …": the contract's Copy button must stay the only one called Copy.
          <span class="copy-as">
            {t('reveal_copyAs')}{' '}
            <button type="button" onClick={() => void copy('header')}>
              {t('reveal_headerButton', headerName ?? '')}
            </button>
          </span>
        )}
      </div>
      <div class="actions">
        <button type="button" disabled={kept} onClick={() => void keep()}>
          {t('reveal_keep')}
        </button>
        <button type="button" onClick={onDone}>
          {t('reveal_done')}
        </button>
      </div>
      <p role="status" class="status">
        {cleared && t('reveal_clipboardCleared')}
        {!cleared && said === 'copied' && t('reveal_copied')}
        {!cleared && said === 'copied-header' && t('reveal_copiedHeader', headerName ?? '')}
        {said === 'copy-failed' && failure}
        {keptSaid}
      </p>
      {/* A timer, not part of the status: a live region would announce every second. */}
      <p role="timer" class="status">
        {counting && clearsAt !== null && t('reveal_clearsIn', secondsLeft(clearsAt, now))}
      </p>
    </section>
  );
}
