import { useEffect, useState } from 'preact/hooks';
import browser from 'webextension-polyfill';
import type { UserError } from '../core/errors.ts';
import type { SiteInfo } from '../core/messages.ts';
import { send } from '../core/send.ts';
import type { Settings, VaultStatus } from '../core/settings.ts';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';
import { DataSection } from './DataSection.tsx';
import { OverridesSection } from './OverridesSection.tsx';
import { RecipesSection } from './RecipesSection.tsx';
import { TimingSection } from './TimingSection.tsx';
import { VaultSection } from './VaultSection.tsx';
import { t } from '../core/i18n.ts';

type View =
  | { kind: 'loading' }
  | { kind: 'failed'; error: UserError }
  | { kind: 'ready'; settings: Settings; vault: VaultStatus; sites: SiteInfo[] };

/** Saves the whole settings object; resolves to the background's error, or null once saved. */
export type SaveSettings = (settings: Settings) => Promise<UserError | null>;

export function Options() {
  const [view, setView] = useState<View>({ kind: 'loading' });
  const [vaultSaid, setVaultSaid] = useState('');

  async function load() {
    const reply = await send('settings-get', {});
    // A refresh that fails keeps the page as it is (and what is typed in it); only a first load shows the failure.
    setView((current) =>
      reply.ok ? { kind: 'ready', ...reply.value } : current.kind === 'ready' ? current : { kind: 'failed', error: reply.error },
    );
  }

  useEffect(() => {
    void load();
    // The vault may lock itself, a popup may save a token, another tab may change a setting: the page follows.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const refresh = () => {
      clearTimeout(timer);
      timer = setTimeout(() => void load(), 100);
    };
    browser.storage.onChanged.addListener(refresh);
    window.addEventListener('focus', refresh);
    return () => {
      clearTimeout(timer);
      browser.storage.onChanged.removeListener(refresh);
      window.removeEventListener('focus', refresh);
    };
  }, []);

  const header = (
    <header class="brand">
      <img src="/icons/icon-16.png" width={16} height={16} alt="" />
      Tokenmint
    </header>
  );
  if (view.kind === 'loading') {
    return (
      <>
        {header}
        <p class="muted">{t('options_loading')}</p>
      </>
    );
  }
  if (view.kind === 'failed') {
    return (
      <>
        {header}
        <h1>{t('options_heading')}</h1>
        <ErrorAlert error={view.error} />
        <button type="button" onClick={() => void load()}>
          {t('options_tryAgain')}
        </button>
      </>
    );
  }

  const { settings, vault, sites } = view;
  const setVault = (next: VaultStatus) => setView((current) => (current.kind === 'ready' ? { ...current, vault: next } : current));
  const save: SaveSettings = async (next) => {
    const reply = await send('settings-set', { settings: next });
    if (!reply.ok) return reply.error;
    setView((current) => (current.kind === 'ready' ? { ...current, settings: next } : current));
    return null;
  };

  return (
    <>
      {header}
      <h1>{t('options_heading')}</h1>
      <VaultSection key={vault.mode} vault={vault} onVault={setVault} said={vaultSaid} onSaid={setVaultSaid} />
      <TimingSection settings={settings} onSave={save} />
      <OverridesSection settings={settings} sites={sites} onSave={save} />
      <RecipesSection />
      <DataSection vault={vault} onVault={setVault} />
    </>
  );
}
