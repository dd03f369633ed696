import { useState } from 'preact/hooks';
import type { UserError } from '../core/errors.ts';
import { send } from '../core/send.ts';
import type { VaultStatus } from '../core/settings.ts';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';

interface Props {
  vault: VaultStatus;
  onVault: (vault: VaultStatus) => void;
}

/** Export of what the vault keeps (metadata; secrets only unlocked and confirmed), and Wipe. */
export function DataSection({ vault, onVault }: Props) {
  const [withSecrets, setWithSecrets] = useState(false);
  const [confirmed, setConfirmed] = useState(false);
  const [confirmingWipe, setConfirmingWipe] = useState(false);
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
    setSaid(secrets ? 'Exported, secrets included: keep the file safe and delete it when done.' : 'Exported, without secrets.');
  }

  async function wipe() {
    setWorking(true);
    setError(null);
    setSaid('');
    const reply = await send('vault-wipe', {});
    setWorking(false);
    setConfirmingWipe(false);
    if (!reply.ok) return setError(reply.error);
    onVault(reply.value);
    setSaid('Wiped: Tokenmint keeps no token now, and saved tokens stay for this browser session only.');
  }

  return (
    <section aria-labelledby="data-title" class="panel">
      <h2 id="data-title">Export and wipe</h2>
      <h3>Export</h3>
      <p class="muted">
        A JSON file listing the saved tokens: site, origin, name, scopes, dates and a masked preview.
      </p>
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
        Include the secrets
      </label>
      <p id="with-secrets-hint" class="hint indent">
        {secretsPossible ? 'Only when you need the tokens themselves elsewhere.' : 'Unlock the vault to export the secrets.'}
      </p>
      {secrets && (
        <label class="check confirm">
          <input type="checkbox" checked={confirmed} onChange={(event) => setConfirmed(event.currentTarget.checked)} />
          I understand the file holds working tokens in plain text
        </label>
      )}
      <div class="actions">
        <button type="button" disabled={exportBlocked} onClick={() => void exportFile()}>
          Export
        </button>
      </div>

      <h3>Wipe</h3>
      <p class="muted">Forgets every saved token and the vault with its passphrase. The tokens stay valid on their sites.</p>
      {confirmingWipe ? (
        <div class="actions" role="group" aria-label="Confirm wipe">
          <p class="warning">Wipe every saved token and the vault? This cannot be undone.</p>
          <button type="button" class="danger" autoFocus disabled={working} onClick={() => void wipe()}>
            Confirm wipe
          </button>
          <button type="button" disabled={working} onClick={() => setConfirmingWipe(false)}>
            Cancel
          </button>
        </div>
      ) : (
        <div class="actions">
          <button type="button" disabled={working} onClick={() => setConfirmingWipe(true)}>
            Wipe…
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

/** Hands `text` to the browser as a downloaded file. */
function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  // The download has its own copy by then.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
