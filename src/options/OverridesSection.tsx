import { useState } from 'preact/hooks';
import browser from 'webextension-polyfill';
import type { UserError } from '../core/errors.ts';
import type { SiteInfo } from '../core/messages.ts';
import type { Settings, SiteOverride } from '../core/settings.ts';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';
import { apiBaseOf, originOf, permissionPattern, withOverride } from './form-rules.ts';
import type { SaveSettings } from './Options.tsx';

interface Props {
  settings: Settings;
  /** The adapters a rule may name, as the background lists them. */
  sites: SiteInfo[];
  onSave: SaveSettings;
}

const AUTOMATIC = 'Recognise automatically';

/** Per-origin rules that win over recognition: which adapter answers there, and where CDS serves its API. */
export function OverridesSection({ settings, sites, onSave }: Props) {
  const siteName = (id: string) => sites.find((site) => site.id === id)?.name ?? (id ? id : AUTOMATIC);
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
    setSaid(`Asking the browser to let Tokenmint reach ${host}…`);
    // Asked first, while the click still counts as the user's gesture: the browser shows its own prompt.
    let allowed = false;
    try {
      allowed = await browser.permissions.request({ origins: [permissionPattern(rule.origin)] });
    } catch {
      // a browser that refuses to ask: the rule still applies where the toolbar button gives access
    }
    const replaced = overrides.some((override) => override.origin === rule.origin);
    const sentence = `${replaced ? 'Replaced' : 'Added'} the override for ${host}.${
      allowed ? '' : ` Tokenmint may use ${host} only from its toolbar button there.`
    }`;
    if (await store(withOverride(overrides, rule), sentence)) {
      setOriginText('');
      setBaseText('');
      setSiteId('');
      setTouched(false);
    }
  }

  const originHint = touched && 'problem' in origin ? origin.problem : 'Scheme, host and port, e.g. https://cds.example.com.';
  return (
    <section aria-labelledby="overrides-title" class="panel">
      <h2 id="overrides-title">Site overrides</h2>
      <p class="muted">
        Tokenmint recognises a site by what its address answers. An override says which site an address is, and for CDS
        where its API is served; it wins over recognition.
      </p>
      {overrides.length === 0 ? (
        <p class="muted">No overrides.</p>
      ) : (
        <ul class="overrides" aria-label="Overrides">
          {overrides.map((override) => (
            <li key={override.origin}>
              <span class="rule">
                <strong>{override.origin}</strong> → {siteName(override.siteId)}
                {override.siteId === 'cds' && override.cdsApiBase && <> · API under {override.cdsApiBase}</>}
              </span>
              <button
                type="button"
                aria-label={`Remove the override for ${override.origin}`}
                disabled={saving}
                onClick={() =>
                  void store(
                    overrides.filter((other) => other.origin !== override.origin),
                    `Removed the override for ${new URL(override.origin).host}.`,
                  )
                }
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}

      <form class="add-override" aria-label="Add an override" aria-busy={saving} onSubmit={add}>
        <div class="field">
          <label for="override-origin">Origin</label>
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
          <label for="override-site">Site</label>
          <select id="override-site" value={siteId} onChange={(event) => setSiteId(event.currentTarget.value)}>
            <option value="">{AUTOMATIC}</option>
            {sites.map((site) => (
              <option key={site.id} value={site.id}>
                {site.name}
              </option>
            ))}
          </select>
        </div>
        {siteId === 'cds' && (
          <div class="field">
            <label for="override-base">CDS API base path</label>
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
              {'problem' in base ? base.problem : 'Where the CDS web UI serves its API; empty for /cdsapi.'}
            </p>
          </div>
        )}
        {error && <ErrorAlert error={error} />}
        <div class="actions">
          <button type="submit" class="primary" disabled={saving || (touched && blocked)}>
            Add override
          </button>
          <p role="status" class="status">
            {said}
          </p>
        </div>
      </form>
    </section>
  );
}
