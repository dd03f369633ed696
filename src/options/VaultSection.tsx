import { useState } from 'preact/hooks';
import type { UserError } from '../core/errors.ts';
import type { Reply } from '../core/messages.ts';
import { send } from '../core/send.ts';
import type { VaultStatus } from '../core/settings.ts';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';
import { MIN_PASSPHRASE, passphraseProblem } from './form-rules.ts';
import { t } from '../core/i18n.ts';

interface Props {
  vault: VaultStatus;
  onVault: (vault: VaultStatus) => void;
  /** The last thing done, said above the section's own state: it outlives the section's restart on a mode change. */
  said: string;
  onSaid: (sentence: string) => void;
}

type Mode = VaultStatus['mode'];

/** Where kept tokens live, and the persistent vault's passphrase: set up, unlock, lock, change. */
export function VaultSection({ vault, onVault, said, onSaid }: Props) {
  // The parent keys this section by the vault's mode: once the vault becomes something else (set up here, wiped, or
  // changed from another tab) it starts afresh, its radios showing what the vault now is in the same render.
  const [chosen, setChosen] = useState<Mode>(vault.mode);
  const mode = vault.mode === 'persistent' ? 'persistent' : chosen;
  const done = (next: VaultStatus, sentence: string) => {
    onVault(next);
    onSaid(sentence);
  };

  return (
    <section aria-labelledby="vault-title" class="panel">
      <h2 id="vault-title">{t('options_vaultTitle')}</h2>
      <fieldset class="modes">
        <legend>{t('options_vaultWhere')}</legend>
        <label class="check">
          <input
            type="radio"
            name="vault-mode"
            value="session"
            checked={chosen === 'session'}
            aria-describedby="mode-session-hint"
            onChange={() => setChosen('session')}
          />
          {t('options_vaultSession')}
        </label>
        <p id="mode-session-hint" class="hint indent">
          {t('options_vaultSessionHint')}
        </p>
        <label class="check">
          <input
            type="radio"
            name="vault-mode"
            value="persistent"
            checked={chosen === 'persistent'}
            aria-describedby="mode-persistent-hint"
            onChange={() => setChosen('persistent')}
          />
          {t('options_vaultPersistent')}
        </label>
        <p id="mode-persistent-hint" class="hint indent">
          {t('options_vaultPersistentHint')}
        </p>
      </fieldset>

      {vault.mode === 'persistent' && chosen === 'session' && (
        <p class="warning">{t('options_vaultBackWarning', t('options_wipe'), t('options_dataTitle'))}</p>
      )}

      <p role="status" aria-label={t('options_vaultStatus')} class="vault-state">
        {statusLine(vault)}
      </p>

      {vault.mode === 'session' && mode === 'persistent' && (
        <SetUp onDone={(next) => done(next, t('options_vaultOn'))} />
      )}
      {vault.mode === 'persistent' &&
        (vault.locked ? (
          <Unlock onDone={(next) => done(next, t('options_vaultUnlocked'))} />
        ) : (
          <LockNow onDone={(next) => done(next, t('options_vaultLocked'))} />
        ))}
      {vault.mode === 'persistent' && (
        <ChangePassphrase onDone={(next) => done(next, t('options_vaultChanged'))} />
      )}
      <p class="status" aria-live="polite">
        {said}
      </p>
    </section>
  );
}

function statusLine(vault: VaultStatus): string {
  const tokens = vault.entries === 1 ? t('options_tokensOne') : t('options_tokens', vault.entries);
  if (vault.mode === 'session') return `${t('options_vaultSession')} · ${tokens}`;
  const kdf = vault.iterations ? ` · ${t('options_kdf', vault.iterations.toLocaleString(t('ext_locale')))}` : '';
  return `${vault.locked ? t('options_stateLocked') : t('options_stateUnlocked')} · ${tokens}${kdf}`;
}

/** A form whose submit sends one vault request; shows the background's sentence when it refuses. */
function useVaultRequest(onDone: (vault: VaultStatus) => void) {
  const [working, setWorking] = useState(false);
  const [error, setError] = useState<UserError | null>(null);
  async function run(request: Promise<Reply<VaultStatus>>): Promise<boolean> {
    setWorking(true);
    setError(null);
    const reply = await request;
    setWorking(false);
    if (!reply.ok) {
      setError(reply.error);
      return false;
    }
    onDone(reply.value);
    return true;
  }
  return { working, error, run };
}

interface PassphraseFieldProps {
  id: string;
  label: string;
  value: string;
  onInput: (value: string) => void;
  autoComplete: 'current-password' | 'new-password';
  hint?: { text: string; problem: boolean } | undefined;
  autoFocus?: boolean;
}

function PassphraseField({ id, label, value, onInput, autoComplete, hint, autoFocus }: PassphraseFieldProps) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        id={id}
        type="password"
        value={value}
        autoComplete={autoComplete}
        spellcheck={false}
        autoFocus={autoFocus}
        maxLength={1024}
        aria-invalid={hint?.problem ?? false}
        aria-describedby={hint ? `${id}-hint` : undefined}
        onInput={(event) => onInput(event.currentTarget.value)}
      />
      {hint && (
        <p id={`${id}-hint`} class={hint.problem ? 'hint problem' : 'hint'}>
          {hint.text}
        </p>
      )}
    </div>
  );
}

/** The hints under a new passphrase typed twice: the length rule, then whether they match. */
function newPassphraseHints(passphrase: string, repeat: string) {
  const short = passphrase.length < MIN_PASSPHRASE;
  const problem = passphraseProblem(passphrase, repeat);
  return {
    first: { text: t('options_passphraseMin', MIN_PASSPHRASE), problem: short && passphrase.length > 0 },
    // Said only once something is typed in the second field: an empty one is not yet a mistake.
    second:
      repeat.length > 0 && !short && problem
        ? { text: problem, problem: true }
        : { text: t('options_passphraseAgain'), problem: false },
    blocked: problem !== null,
  };
}

function SetUp({ onDone }: { onDone: (vault: VaultStatus) => void }) {
  const [passphrase, setPassphrase] = useState('');
  const [repeat, setRepeat] = useState('');
  const { working, error, run } = useVaultRequest(onDone);
  const hints = newPassphraseHints(passphrase, repeat);

  async function submit(event: Event) {
    event.preventDefault();
    if (hints.blocked || working) return;
    if (await run(send('vault-setup', { passphrase }))) {
      setPassphrase('');
      setRepeat('');
    }
  }

  return (
    <form class="vault-form" aria-label={t('options_setUpForm')} aria-busy={working} onSubmit={submit}>
      <p>{t('options_setUpAbout')}</p>
      <fieldset disabled={working}>
        <PassphraseField id="setup-passphrase" label={t('options_passphrase')} value={passphrase} onInput={setPassphrase} autoComplete="new-password" hint={hints.first} autoFocus />
        <PassphraseField id="setup-repeat" label={t('options_passphraseRepeat')} value={repeat} onInput={setRepeat} autoComplete="new-password" hint={hints.second} />
      </fieldset>
      {error && <ErrorAlert error={error} />}
      <button type="submit" class="primary" disabled={hints.blocked || working}>
        {working ? t('options_settingUp') : t('options_setUp')}
      </button>
    </form>
  );
}

function Unlock({ onDone }: { onDone: (vault: VaultStatus) => void }) {
  const [passphrase, setPassphrase] = useState('');
  const { working, error, run } = useVaultRequest(onDone);

  async function submit(event: Event) {
    event.preventDefault();
    if (!passphrase || working) return;
    if (await run(send('vault-unlock', { passphrase }))) setPassphrase('');
  }

  return (
    <form class="vault-form" aria-label={t('options_unlockForm')} aria-busy={working} onSubmit={submit}>
      <fieldset disabled={working}>
        <PassphraseField id="unlock-passphrase" label={t('options_passphrase')} value={passphrase} onInput={setPassphrase} autoComplete="current-password" autoFocus />
      </fieldset>
      {error && <ErrorAlert error={error} />}
      <button type="submit" class="primary" disabled={!passphrase || working}>
        {working ? t('options_unlocking') : t('options_unlock')}
      </button>
    </form>
  );
}

function LockNow({ onDone }: { onDone: (vault: VaultStatus) => void }) {
  const { working, error, run } = useVaultRequest(onDone);
  return (
    <div class="actions">
      <button type="button" disabled={working} onClick={() => void run(send('vault-lock', {}))}>
        {t('options_lockNow')}
      </button>
      {error && <ErrorAlert error={error} />}
    </div>
  );
}

function ChangePassphrase({ onDone }: { onDone: (vault: VaultStatus) => void }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const { working, error, run } = useVaultRequest(onDone);
  const hints = newPassphraseHints(next, repeat);
  const blocked = !current || hints.blocked;

  async function submit(event: Event) {
    event.preventDefault();
    if (blocked || working) return;
    if (await run(send('vault-passphrase', { current, next }))) {
      setCurrent('');
      setNext('');
      setRepeat('');
    }
  }

  return (
    <details class="change">
      <summary>{t('options_changeSummary')}</summary>
      <form class="vault-form" aria-label={t('options_changeForm')} aria-busy={working} onSubmit={submit}>
        <fieldset disabled={working}>
          <PassphraseField id="change-current" label={t('options_passphraseCurrent')} value={current} onInput={setCurrent} autoComplete="current-password" />
          <PassphraseField id="change-next" label={t('options_passphraseNew')} value={next} onInput={setNext} autoComplete="new-password" hint={hints.first} />
          <PassphraseField id="change-repeat" label={t('options_passphraseNewRepeat')} value={repeat} onInput={setRepeat} autoComplete="new-password" hint={hints.second} />
        </fieldset>
        {error && <ErrorAlert error={error} />}
        <button type="submit" class="primary" disabled={blocked || working}>
          {working ? t('options_reencrypting') : t('options_change')}
        </button>
      </form>
    </details>
  );
}
