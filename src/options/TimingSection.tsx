import { useState } from 'preact/hooks';
import type { UserError } from '../core/errors.ts';
import type { Settings } from '../core/settings.ts';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';
import { NumberField } from '../ui/NumberField.tsx';
import { wholeNumber } from './form-rules.ts';
import type { SaveSettings } from './Options.tsx';
import { t } from '../core/i18n.ts';

interface Props {
  settings: Settings;
  onSave: SaveSettings;
}

/** The most the background accepts (src/core/messages.ts): a day of minutes, an hour of seconds. */
const MAX_MINUTES = 24 * 60;
const MAX_SECONDS = 60 * 60;

/** How long the vault stays unlocked without use, and how long a copied token stays on the clipboard. */
export function TimingSection({ settings, onSave }: Props) {
  const [minutes, setMinutes] = useState(String(settings.autoLockMinutes));
  const [seconds, setSeconds] = useState(String(settings.clipboardSeconds));
  const [saving, setSaving] = useState(false);
  const [said, setSaid] = useState('');
  const [error, setError] = useState<UserError | null>(null);

  const lock = wholeNumber(minutes, MAX_MINUTES);
  const clear = wholeNumber(seconds, MAX_SECONDS);
  const changed = minutes.trim() !== String(settings.autoLockMinutes) || seconds.trim() !== String(settings.clipboardSeconds);
  const blocked = 'problem' in lock || 'problem' in clear;

  async function submit(event: Event) {
    event.preventDefault();
    if (blocked || saving || !('value' in lock) || !('value' in clear)) return;
    setSaving(true);
    setError(null);
    setSaid('');
    const problem = await onSave({ ...settings, autoLockMinutes: lock.value, clipboardSeconds: clear.value });
    setSaving(false);
    setError(problem);
    if (!problem) {
      setMinutes(String(lock.value));
      setSeconds(String(clear.value));
      setSaid(t('options_saved'));
    }
  }

  const edit = (set: (value: string) => void) => (value: string) => {
    set(value);
    setSaid('');
  };

  return (
    <section aria-labelledby="timing-title" class="panel">
      <h2 id="timing-title">{t('options_timingTitle')}</h2>
      <form onSubmit={submit} aria-busy={saving}>
        <NumberField
          id="auto-lock"
          label={t('options_autoLock')}
          min={0}
          max={MAX_MINUTES}
          value={minutes}
          onInput={edit(setMinutes)}
          problem={'problem' in lock ? lock.problem : null}
          hint={t('options_autoLockHint')}
        />
        <NumberField
          id="clipboard-clear"
          label={t('options_clipboardClear')}
          min={0}
          max={MAX_SECONDS}
          value={seconds}
          onInput={edit(setSeconds)}
          problem={'problem' in clear ? clear.problem : null}
          hint={t('options_clipboardClearHint')}
        />
        {error && <ErrorAlert error={error} />}
        <div class="actions">
          <button type="submit" class="primary" disabled={blocked || saving || !changed}>
            {t('options_save')}
          </button>
          <p role="status" class="status">
            {said}
          </p>
        </div>
      </form>
    </section>
  );
}
