import { useState } from 'preact/hooks';
import type { UserError } from '../core/errors.ts';
import type { MintForm as Form, UserInfo } from '../core/messages.ts';
import { nameProblem } from '../core/name-rule.ts';
import { ErrorAlert } from './ErrorAlert.tsx';

interface Props {
  form: Form;
  /** The name of a mint already running (the popup was reopened mid-mint). */
  initialName?: string | undefined;
  user: UserInfo;
  working: boolean;
  error: UserError | null;
  onGenerate: (name: string) => void;
  /** Follows an alert's link (e.g. Sign in after the session expired) in the site's tab. */
  onLink: (url: string) => void;
}

export function MintForm({ form, initialName, user, working, error, onGenerate, onLink }: Props) {
  const [name, setName] = useState(initialName ?? form.name?.suggestion ?? '');
  const problem = form.name ? nameProblem(form.name.rule, name) : null;
  const blocked = Boolean(user.cannotMint) || problem !== null;

  return (
    <form
      class="mint"
      aria-busy={working}
      onSubmit={(event) => {
        event.preventDefault();
        if (!blocked && !working) onGenerate(name);
      }}
    >
      {form.name && (
        <div class="field">
          <label for="token-name">Token name</label>
          <input
            id="token-name"
            name="token-name"
            value={name}
            maxLength={form.name.rule.maxLength}
            autoComplete="off"
            spellcheck={false}
            autoFocus
            disabled={working}
            aria-invalid={problem !== null}
            aria-describedby="token-name-hint"
            onInput={(event) => setName(event.currentTarget.value)}
          />
          <p id="token-name-hint" class={problem ? 'hint problem' : 'hint'}>
            {problem ?? 'A name you will recognise in the site’s token list.'}
          </p>
        </div>
      )}
      {user.cannotMint && <ErrorAlert error={user.cannotMint} />}
      {error && <ErrorAlert error={error} onLink={onLink} />}
      <button type="submit" class="primary" disabled={blocked || working}>
        {working ? 'Generating…' : 'Generate token'}
      </button>
      {working && <progress aria-label="Generating token" />}
    </form>
  );
}
