import { useState } from 'preact/hooks';
import type { UserError } from '../core/errors.ts';
import { send } from '../core/send.ts';
import type { VaultStatus } from '../core/settings.ts';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';
import { download } from './download.ts';
import { t } from '../core/i18n.ts';
import { focusOnMount } from '../ui/focus.ts';

interface Props {
  vault: VaultStatus;
  onVault: (vault: VaultStatus) => void;
}

/** Export of what the vault keeps (metadata; secrets only unlocked and confirmed), and Wipe. */
export function DataSection({ vault, onVault }: Props) {
  const [withSecrets, setWithSecrets] = useState(false);
  const [confirmed, setConfirmed] = useState(false);
  // 'closed' once a confirmation ended (wiped, cancelled, Escape): focus goes back to Wipe… rather than the page.
  const [wipeQuestion, setWipeQuestion] = useState<'none' | 'open' | 'closed'>('none');
  const [working, setWorking] = useState(false);
  const [said, setSaid] = useState('');
  const [error, setError] = useState<UserError | null>(null);

  const secretsPossible = !vault.locked;
  const secrets = secretsPossible && withSecrets;
  const exportBlocked = working || (secrets && !confirmed);

  async function exportFile() {
    if (exportBlocked) return;
    setWorking(true);
    setError(null);
    setSaid('');
    const reply = await send('vault-export', { withSecrets: secrets });
    setWorking(false);
    if (!reply.ok) return setError(reply.error);
    const day = new Date().toISOString().slice(0, 10);
    download(`tokenmint-${secrets ? 'tokens-with-secrets' : 'tokens'}-${day}.json`, reply.value);
    // Every export with secrets is confirmed afresh.
    setWithSecrets(false);
    setConfirmed(false);
    setSaid(secrets ? t('options_exportedWithSecrets') : t('options_exported'));
  }

  async function wipe() {
    setWorking(true);
    setError(null);
    setSaid('');
    const reply = await send('vault-wipe', {});
    setWorking(false);
    setWipeQuestion('closed');
    if (!reply.ok) return setError(reply.error);
    onVault(reply.value);
    setSaid(t('options_wiped'));
  }

  return (
    <section aria-labelledby="data-title" class="panel">
      <h2 id="data-title">{t('options_dataTitle')}</h2>
      <h3>{t('options_exportTitle')}</h3>
      <p class="muted">{t('options_exportAbout')}</p>
      <label class="check">
        <input
          type="checkbox"
          checked={secrets}
          disabled={!secretsPossible}
          aria-describedby="with-secrets-hint"
          onChange={(event) => {
            setWithSecrets(event.currentTarget.checked);
            setConfirmed(false);
          }}
        />
        {t('options_withSecrets')}
      </label>
      <p id="with-secrets-hint" class="hint indent">
        {secretsPossible ? t('options_withSecretsHint') : t('options_withSecretsLocked')}
      </p>
      {secrets && (
        <label class="check confirm">
          <input type="checkbox" checked={confirmed} onChange={(event) => setConfirmed(event.currentTarget.checked)} />
          {t('options_withSecretsConfirm')}
        </label>
      )}
      <div class="actions">
        <button type="button" disabled={exportBlocked} onClick={() => void exportFile()}>
          {t('options_export')}
        </button>
      </div>

      <h3>{t('options_wipeTitle')}</h3>
      <p class="muted">{t('options_wipeAbout')}</p>
      {/* Keyed: the other state's buttons must be new elements, for focusOnMount to run (Preact reuses by type). */}
      {wipeQuestion === 'open' ? (
        <div
          key="asking"
          class="actions"
          role="group"
          aria-label={t('options_wipeConfirmGroup')}
          onKeyDown={(event) => event.key === 'Escape' && !working && setWipeQuestion('closed')}
        >
          <p class="warning">{t('options_wipeQuestion')}</p>
          <button type="button" class="danger" ref={focusOnMount} disabled={working} onClick={() => void wipe()}>
            {t('options_wipeConfirm')}
          </button>
          <button type="button" disabled={working} onClick={() => setWipeQuestion('closed')}>
            {t('options_cancel')}
          </button>
        </div>
      ) : (
        <div key="idle" class="actions">
          <button
            type="button"
            disabled={working}
            ref={wipeQuestion === 'closed' ? focusOnMount : undefined}
            onClick={() => setWipeQuestion('open')}
          >
            {t('options_wipe')}
          </button>
        </div>
      )}
      {error && <ErrorAlert error={error} />}
      <p role="status" class="status">
        {said}
      </p>
    </section>
  );
}
