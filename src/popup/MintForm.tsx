import { useState } from 'preact/hooks';
import type { UserError } from '../core/errors.ts';
import type { MintForm as Form, UserInfo } from '../core/messages.ts';
import { nameProblem } from '../core/name-rule.ts';
import type { Choice, MintInput } from '../sites/types.ts';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';
import { NumberField } from '../ui/NumberField.tsx';
import { t } from '../core/i18n.ts';
import { focusFirstControl } from '../ui/focus.ts';

interface Props {
  form: Form;
  /** The name of a mint already running (the popup was reopened mid-mint). */
  initialName?: string | undefined;
  user: UserInfo;
  working: boolean;
  /** The form drawn is the last one shown on this origin, not yet confirmed by the background: Generate waits. */
  confirming: boolean;
  error: UserError | null;
  onGenerate: (input: MintInput) => void;
  /** Follows an alert's link (e.g. Sign in after the session expired) in the site's tab. */
  onLink: (url: string) => void;
}

export function MintForm({ form, initialName, user, working, confirming, error, onGenerate, onLink }: Props) {
  const [name, setName] = useState(initialName ?? form.name?.suggestion ?? '');
  const [description, setDescription] = useState('');
  const [scopes, setScopes] = useState(() => new Set(form.scopes?.defaults ?? []));
  const [groups, setGroups] = useState(() => new Set<string>());
  const [days, setDays] = useState(String(form.expiresInDays?.default ?? ''));
  const [replace, setReplace] = useState(false);

  const nameIssue = form.name ? nameProblem(form.name.rule, name) : null;
  const scopeIssue = form.scopes?.atLeastOne && scopes.size === 0 ? t('popup_scopesNeeded') : null;
  const daysIssue = form.expiresInDays ? daysProblem(days, form.expiresInDays) : null;
  const blocked =
    Boolean(user.cannotMint) || Boolean(nameIssue ?? scopeIssue ?? daysIssue) || (Boolean(form.replaces) && !replace);

  function submit(event: Event) {
    event.preventDefault();
    if (blocked || working || confirming) return;
    onGenerate({
      name: form.name ? name : '',
      description: description.trim(),
      scopes: [...scopes],
      groups: [...groups],
      expiresInDays: form.expiresInDays ? Number(days) : null,
      replace,
    });
  }

  return (
    <form class="mint" aria-busy={working} ref={focusFirstControl} onSubmit={submit}>
      <fieldset disabled={working}>
        {form.name && (
          <div class="field">
            <label for="token-name">{t('popup_tokenName')}</label>
            <input
              id="token-name"
              value={name}
              maxLength={form.name.rule.maxLength}
              autoComplete="off"
              spellcheck={false}
              aria-invalid={nameIssue !== null}
              aria-describedby="token-name-hint"
              onInput={(event) => setName(event.currentTarget.value)}
            />
            <p id="token-name-hint" class={nameIssue ? 'hint problem' : 'hint'}>
              {nameIssue ?? t('popup_tokenNameHint')}
            </p>
          </div>
        )}
        {form.description && (
          <div class="field">
            <label for="token-description">{t('popup_description')}</label>
            <input
              id="token-description"
              value={description}
              maxLength={form.description.maxLength}
              autoComplete="off"
              onInput={(event) => setDescription(event.currentTarget.value)}
            />
          </div>
        )}
        {form.scopes && (
          <Choices legend={t('popup_scopes')} choices={form.scopes.choices} ticked={scopes} onChange={setScopes} issue={scopeIssue} />
        )}
        {form.groups && form.groups.choices.length > 0 && (
          <Choices
            legend={t('popup_groups')}
            choices={form.groups.choices}
            ticked={groups}
            onChange={setGroups}
            issue={groups.size === 0 ? t('popup_groupsNone') : null}
            quiet
          />
        )}
        {form.expiresInDays && (
          <NumberField
            id="token-days"
            label={t('popup_expiresInDays')}
            min={form.expiresInDays.min}
            max={form.expiresInDays.max}
            value={days}
            onInput={setDays}
            problem={daysIssue}
            hint={t('popup_daysRange', form.expiresInDays.min, form.expiresInDays.max)}
          />
        )}
        {form.replaces && (
          <div class="replace">
            <p class="warning">{form.replaces.sentence}</p>
            <label class="check">
              <input type="checkbox" checked={replace} onChange={(event) => setReplace(event.currentTarget.checked)} />
              {t('popup_replaceSecret')}
            </label>
          </div>
        )}
      </fieldset>
      {user.cannotMint && <ErrorAlert error={user.cannotMint} />}
      {error && <ErrorAlert error={error} onLink={onLink} />}
      <button type="submit" class="primary" disabled={blocked || working || confirming}>
        {working ? t('popup_generating') : t('popup_generate')}
      </button>
      {working && <progress aria-label={t('popup_generatingToken')} />}
    </form>
  );
}

function daysProblem(value: string, range: { min: number; max: number }): string | null {
  const days = Number(value);
  if (value.trim() === '' || !Number.isInteger(days)) return t('popup_daysWhole');
  return days < range.min || days > range.max ? t('popup_daysOutOfRange', range.min, range.max) : null;
}

interface ChoicesProps {
  legend: string;
  choices: Choice[];
  ticked: Set<string>;
  onChange: (ticked: Set<string>) => void;
  /** A problem (or, when `quiet`, a note) shown under the list. */
  issue: string | null;
  quiet?: boolean;
}

/** A checkbox per choice; each one's accessible name is exactly its label (a scope id, a group name). */
function Choices({ legend, choices, ticked, onChange, issue, quiet }: ChoicesProps) {
  const toggle = (id: string, on: boolean) => {
    const next = new Set(ticked);
    if (on) next.add(id);
    else next.delete(id);
    onChange(next);
  };
  return (
    <fieldset class="choices">
      <legend>{legend}</legend>
      {choices.map((choice) => (
        <label class="check" key={choice.id} title={choice.description}>
          <input
            type="checkbox"
            checked={ticked.has(choice.id)}
            onChange={(event) => toggle(choice.id, event.currentTarget.checked)}
          />
          {choice.label}
        </label>
      ))}
      {issue && <p class={quiet ? 'hint' : 'hint problem'}>{issue}</p>}
    </fieldset>
  );
}
