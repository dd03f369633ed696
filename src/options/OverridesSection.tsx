import { useState } from 'preact/hooks';
import browser from 'webextension-polyfill';
import type { UserError } from '../core/errors.ts';
import type { SiteInfo } from '../core/messages.ts';
import type { Settings, SiteOverride } from '../core/settings.ts';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';
import { apiBaseOf, originOf, permissionPattern, withOverride } from './form-rules.ts';
import type { SaveSettings } from './Options.tsx';
import { t } from '../core/i18n.ts';

interface Props {
  settings: Settings;
  /** The adapters a rule may name, as the background lists them. */
  sites: SiteInfo[];
  onSave: SaveSettings;
}

/** Per-origin rules that win over recognition: which adapter answers there, and where CDS serves its API. */
export function OverridesSection({ settings, sites, onSave }: Props) {
  const siteName = (id: string) => sites.find((site) => site.id === id)?.name ?? (id ? id : t('options_overrideAutomatic'));
  const [originText, setOriginText] = useState('');
  const [siteId, setSiteId] = useState('');
  const [baseText, setBaseText] = useState('');
  const [touched, setTouched] = useState(false);
  const [saving, setSaving] = useState(false);
  const [said, setSaid] = useState('');
  const [error, setError] = useState<UserError | null>(null);

  const origin = originOf(originText);
  const base = siteId === 'cds' ? apiBaseOf(baseText) : { base: '' };
  const blocked = 'problem' in origin || 'problem' in base;
  const { overrides } = settings;

  async function store(next: SiteOverride[], sentence: string): Promise<boolean> {
    setSaving(true);
    setError(null);
    setSaid('');
    const problem = await onSave({ ...settings, overrides: next });
    setSaving(false);
    setError(problem);
    if (!problem) setSaid(sentence);
    return !problem;
  }

  async function add(event: Event) {
    event.preventDefault();
    setTouched(true);
    if (!('origin' in origin) || !('base' in base) || saving) return;
    const rule: SiteOverride = { origin: origin.origin, siteId, cdsApiBase: base.base };
    const host = new URL(rule.origin).host;
    setSaving(true);
    setError(null);
    setSaid(t('options_overrideAsking', host));
    // Asked first, while the click still counts as the user's gesture: the browser shows its own prompt.
    let allowed = false;
    try {
      allowed = await browser.permissions.request({ origins: [permissionPattern(rule.origin)] });
    } catch {
      // a browser that refuses to ask: the rule still applies where the toolbar button gives access
    }
    const replaced = overrides.some((override) => override.origin === rule.origin);
    const done = replaced ? t('options_overrideReplaced', host) : t('options_overrideAdded', host);
    const sentence = allowed ? done : `${done} ${t('options_overrideToolbarOnly', host)}`;
    if (await store(withOverride(overrides, rule), sentence)) {
      setOriginText('');
      setBaseText('');
      setSiteId('');
      setTouched(false);
    }
  }

  const originHint = touched && 'problem' in origin ? origin.problem : t('options_overrideOriginHint');
  return (
    <section aria-labelledby="overrides-title" class="panel">
      <h2 id="overrides-title">{t('options_overridesTitle')}</h2>
      <p class="muted">{t('options_overridesAbout')}</p>
      {overrides.length === 0 ? (
        <p class="muted">{t('options_overridesNone')}</p>
      ) : (
        <ul class="overrides" aria-label={t('options_overridesList')}>
          {overrides.map((override) => (
            <li key={override.origin}>
              <span class="rule">
                <strong>{override.origin}</strong> → {siteName(override.siteId)}
                {override.siteId === 'cds' && override.cdsApiBase && <> · {t('options_overrideApiUnder', override.cdsApiBase)}</>}
              </span>
              <button
                type="button"
                aria-label={t('options_overrideRemoveLabel', override.origin)}
                disabled={saving}
                onClick={() =>
                  void store(
                    overrides.filter((other) => other.origin !== override.origin),
                    t('options_overrideRemoved', new URL(override.origin).host),
                  )
                }
              >
                {t('options_overrideRemove')}
              </button>
            </li>
          ))}
        </ul>
      )}

      <form class="add-override" aria-label={t('options_overrideAddForm')} aria-busy={saving} onSubmit={add}>
        <div class="field">
          <label for="override-origin">{t('options_overrideOrigin')}</label>
          <input
            id="override-origin"
            value={originText}
            autoComplete="url"
            spellcheck={false}
            placeholder="https://cds.example.com"
            aria-invalid={touched && 'problem' in origin}
            aria-describedby="override-origin-hint"
            onInput={(event) => setOriginText(event.currentTarget.value)}
            onBlur={() => originText.trim() && setTouched(true)}
          />
          <p id="override-origin-hint" class={touched && 'problem' in origin ? 'hint problem' : 'hint'}>
            {originHint}
          </p>
        </div>
        <div class="field">
          <label for="override-site">{t('options_overrideSite')}</label>
          <select id="override-site" value={siteId} onChange={(event) => setSiteId(event.currentTarget.value)}>
            <option value="">{t('options_overrideAutomatic')}</option>
            {sites.map((site) => (
              <option key={site.id} value={site.id}>
                {site.name}
              </option>
            ))}
          </select>
        </div>
        {siteId === 'cds' && (
          <div class="field">
            <label for="override-base">{t('options_overrideBase')}</label>
            <input
              id="override-base"
              value={baseText}
              autoComplete="off"
              spellcheck={false}
              placeholder="/cdsapi"
              aria-invalid={'problem' in base}
              aria-describedby="override-base-hint"
              onInput={(event) => setBaseText(event.currentTarget.value)}
            />
            <p id="override-base-hint" class={'problem' in base ? 'hint problem' : 'hint'}>
              {'problem' in base ? base.problem : t('options_overrideBaseHint')}
            </p>
          </div>
        )}
        {error && <ErrorAlert error={error} />}
        <div class="actions">
          <button type="submit" class="primary" disabled={saving || (touched && blocked)}>
            {t('options_overrideAdd')}
          </button>
          <p role="status" class="status">
            {said}
          </p>
        </div>
      </form>
    </section>
  );
}
