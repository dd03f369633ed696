import { useState } from 'preact/hooks';
import type { Reveal } from '../core/token.ts';

interface Props {
  reveal: Reveal;
  onDone: () => void;
  /** Keeps the token in the extension; resolves to true once kept. */
  onKeep: () => Promise<boolean>;
}

type CopyState = 'idle' | 'copied' | 'copied-header' | 'failed' | 'kept' | 'keep-failed';

/** The one place a secret is shown in full. */
export function RevealCard({ reveal, onDone, onKeep }: Props) {
  const [copied, setCopied] = useState<CopyState>('idle');

  async function copy(text: string, done: CopyState) {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(done);
    } catch {
      setCopied('failed');
    }
  }
  const { header } = reveal;

  return (
    <section class="reveal" aria-labelledby="reveal-title">
      <h2 id="reveal-title">Token “{reveal.name}” is ready</h2>
      <p class="meta">
        {reveal.siteName} · {new URL(reveal.origin).host} · acts as {reveal.owner}
      </p>
      <label for="new-token">New token</label>
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
        {reveal.shownOnce ? `${reveal.siteName} shows this token only once. Copy it now; it` : 'It'} stays here until you
        press Done.
      </p>
      <div class="actions">
        <button type="button" class="primary" autoFocus onClick={() => void copy(reveal.secret, 'copied')}>
          Copy
        </button>
        {header && (
          // Named after the header, not "Copy …": the contract's Copy button must stay the only one called Copy.
          <span class="copy-as">
            as{' '}
            <button type="button" onClick={() => void copy(header, 'copied-header')}>
              {header.split(':')[0]} header
            </button>
          </span>
        )}
      </div>
      <div class="actions">
        <button type="button" disabled={copied === 'kept'} onClick={async () => setCopied((await onKeep()) ? 'kept' : 'keep-failed')}>
          Save to vault
        </button>
        <button type="button" onClick={onDone}>
          Done
        </button>
      </div>
      <p role="status" class="status">
        {copied === 'copied' && 'Copied to the clipboard.'}
        {copied === 'copied-header' && `Copied “${header?.split(':')[0]}: …” to the clipboard.`}
        {copied === 'failed' && 'Could not copy: select the token and press Ctrl+C.'}
        {copied === 'kept' && 'Saved in Tokenmint for this browser session; the devtools panel lists it.'}
        {copied === 'keep-failed' && 'Could not save it; copy it instead.'}
      </p>
    </section>
  );
}
