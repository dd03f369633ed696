import { useEffect, useState } from 'preact/hooks';
import browser from 'webextension-polyfill';
import type { UserError } from '../core/errors.ts';
import { t } from '../core/i18n.ts';
import type { RecipeEntry } from '../core/messages.ts';
import { send } from '../core/send.ts';
import type { FieldProblem } from '../sites/recipe/validate.ts';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';
import { download } from './download.ts';
import { checkRecipe, FORM_FIELDS, formFieldNames, recipeFromForm, type Checked } from './recipe-form.ts';

/**
 * Site recipes: the built-in ones and the user's own, added by pasting JSON or filling in a form, tried against an
 * open tab (a dry run of the who-am-I), imported and exported as a JSON file, deleted. The recipe is checked here,
 * where each problem is shown beside its field; adding one asks for access to its origins.
 */
export function RecipesSection() {
  const [entries, setEntries] = useState<RecipeEntry[]>([]);
  const [mode, setMode] = useState<'paste' | 'form'>('paste');
  const [text, setText] = useState('');
  const [values, setValues] = useState<Record<string, string>>({});
  const [problems, setProblems] = useState<FieldProblem[]>([]);
  const [working, setWorking] = useState(false);
  const [said, setSaid] = useState('');
  const [error, setError] = useState<UserError | null>(null);

  async function load() {
    const reply = await send('recipes-get', {});
    if (reply.ok) setEntries(reply.value);
    else setError(reply.error);
  }
  useEffect(() => void load(), []);

  /** Runs one action with the section busy; its sentence goes to the status line. */
  async function run(action: () => Promise<string | UserError>) {
    setWorking(true);
    setError(null);
    setSaid('');
    const outcome = await action();
    setWorking(false);
    if (typeof outcome === 'string') setSaid(outcome);
    else setError(outcome);
  }

  /** The recipe being written, checked; its problems are shown (and nothing is sent) when it has any. */
  async function checked(): Promise<Extract<Checked, { ok: true }> | null> {
    let result;
    if (mode === 'paste') result = await checkRecipe(text);
    else {
      const built = recipeFromForm(values);
      result = 'recipe' in built ? await checkRecipe(built.recipe) : { ok: false as const, problems: built.problems };
    }
    setProblems(result.ok ? [] : result.problems);
    return result.ok ? result : null;
  }

  /** The saved recipe's name, or what is wrong. */
  async function save(recipeText: string): Promise<string | FieldProblem[] | UserError> {
    const reply = await send('recipe-save', { text: recipeText });
    if (!reply.ok) return reply.error;
    return 'problems' in reply.value ? reply.value.problems : reply.value.saved.recipe.name;
  }

  const add = () =>
    run(async () => {
      const recipe = await checked();
      if (!recipe) return t('recipe_ui_notAdded');
      // Asked first, while the click still counts as the user's gesture.
      const allowed = await askAccess(recipe.permissions);
      const saved = await save(recipe.text);
      if (typeof saved === 'object' && 'code' in saved) return saved;
      if (Array.isArray(saved)) {
        setProblems(saved);
        return t('recipe_ui_notAdded');
      }
      setText('');
      setValues({});
      await load();
      return allowed ? t('recipe_ui_added', saved) : `${t('recipe_ui_added', saved)} ${t('recipe_ui_noAccess')}`;
    });

  const test = () =>
    run(async () => {
      const recipe = await checked();
      if (!recipe) return t('recipe_ui_notTested');
      // A dry run runs in the site's tab, which needs access to it.
      await askAccess(recipe.permissions);
      const reply = await send('recipe-test', { text: recipe.text });
      if (!reply.ok) return reply.error;
      const { origin, found } = reply.value;
      return 'user' in reply.value
        ? t('recipe_ui_testSignedIn', reply.value.user.name, reply.value.user.id, origin)
        : t(found === 'signed-out' ? 'recipe_ui_testSignedOut' : 'recipe_ui_testNotThis', origin);
    });

  const importFile = (file: File) =>
    run(async () => {
      let items: unknown;
      try {
        items = JSON.parse(await file.text());
      } catch {
        return t('recipe_v_json');
      }
      const refused: string[] = [];
      const permissions: string[] = [];
      let added = 0;
      for (const [index, item] of (Array.isArray(items) ? items : [items]).entries()) {
        const result = await checkRecipe(item);
        const saved = result.ok ? await save(result.text) : result.problems;
        if (typeof saved === 'object' && 'code' in saved) return saved;
        if (Array.isArray(saved)) refused.push(`${index + 1}: ${saved.map(describe).join(' ')}`);
        else if (result.ok) (added++, permissions.push(...result.permissions));
      }
      await askAccess(permissions);
      await load();
      return [t('recipe_ui_imported', added), ...refused.map((line) => t('recipe_ui_importRefused', line))].join(' ');
    });

  const remove = ({ recipe }: RecipeEntry) =>
    run(async () => {
      const reply = await send('recipe-delete', { id: recipe.id });
      if (!reply.ok) return reply.error;
      await load();
      return t('recipe_ui_deleted', recipe.name);
    });

  function exportFile() {
    const own = entries.filter((entry) => !entry.builtIn).map((entry) => entry.recipe);
    download(`tokenmint-recipes-${new Date().toISOString().slice(0, 10)}.json`, JSON.stringify(own, null, 2));
    setSaid(t('recipe_ui_exported', own.length));
  }

  const fieldOf = (problem: FieldProblem) => (problem.field === 'origins' ? 'origins.0' : problem.field);
  const besideFields = mode === 'form' ? problems.filter((problem) => formFieldNames.has(fieldOf(problem))) : [];
  const elsewhere = problems.filter((problem) => !besideFields.includes(problem));

  return (
    <section aria-labelledby="recipes-title" class="panel">
      <h2 id="recipes-title">{t('recipe_ui_title')}</h2>
      <p class="muted">{t('recipe_ui_about')}</p>
      <ul class="overrides" aria-label={t('recipe_ui_list')}>
        {entries.map((entry) => (
          <li key={entry.recipe.id}>
            <span class="rule">
              <strong>{entry.recipe.name}</strong> · {entry.recipe.origins.join(', ')}
              {entry.builtIn && <> · {t('recipe_ui_builtIn')}</>}
            </span>
            <span>
              <button type="button" disabled={working} onClick={() => ((setMode('paste'), setText(JSON.stringify(entry.recipe, null, 2))))}>
                {t('recipe_ui_edit')}
              </button>{' '}
              {!entry.builtIn && (
                <button type="button" disabled={working} aria-label={t('recipe_ui_deleteLabel', entry.recipe.name)} onClick={() => void remove(entry)}>
                  {t('recipe_ui_delete')}
                </button>
              )}
            </span>
          </li>
        ))}
      </ul>
      <div class="actions">
        <button type="button" onClick={exportFile} disabled={!entries.some((entry) => !entry.builtIn)}>
          {t('recipe_ui_export')}
        </button>
        <label for="recipe-import">{t('recipe_ui_import')}</label>
        <input
          id="recipe-import"
          type="file"
          accept="application/json,.json"
          disabled={working}
          onChange={(event) => {
            const file = event.currentTarget.files?.[0];
            event.currentTarget.value = '';
            if (file) void importFile(file);
          }}
        />
      </div>

      <h3>{t('recipe_ui_addTitle')}</h3>
      <fieldset class="modes">
        <legend>{t('recipe_ui_how')}</legend>
        {(['paste', 'form'] as const).map((value) => (
          <label class="check" key={value}>
            <input type="radio" name="recipe-mode" checked={mode === value} onChange={() => (setMode(value), setProblems([]))} />
            {t(value === 'paste' ? 'recipe_ui_paste' : 'recipe_ui_form')}
          </label>
        ))}
      </fieldset>
      <form aria-label={t('recipe_ui_addTitle')} aria-busy={working} onSubmit={(event) => (event.preventDefault(), void add())}>
        {mode === 'paste' ? (
          <div class="field">
            <label for="recipe-json">{t('recipe_ui_json')}</label>
            <textarea
              id="recipe-json"
              rows={12}
              spellcheck={false}
              value={text}
              aria-invalid={problems.length > 0}
              aria-describedby="recipe-problems"
              onInput={(event) => setText(event.currentTarget.value)}
            />
          </div>
        ) : (
          FORM_FIELDS.map(({ field, label, optional, json, placeholder }) => {
            const own = besideFields.filter((problem) => fieldOf(problem) === field);
            const id = `recipe-${field.replace('.', '-')}`;
            const Input = json ? 'textarea' : 'input';
            return (
              <div class="field" key={field}>
                <label for={id}>
                  {t(label)}
                  {optional && ` ${t('recipe_ui_optional')}`}
                </label>
                <Input
                  id={id}
                  value={values[field] ?? ''}
                  placeholder={placeholder}
                  spellcheck={false}
                  aria-invalid={own.length > 0}
                  aria-describedby={own.length ? `${id}-problem` : undefined}
                  onInput={(event) => setValues({ ...values, [field]: event.currentTarget.value })}
                />
                {own.length > 0 && (
                  <p id={`${id}-problem`} class="hint problem">
                    {own.map((problem) => problem.message).join(' ')}
                  </p>
                )}
              </div>
            );
          })
        )}
        <ul id="recipe-problems" class="hint problem" aria-label={t('recipe_ui_problems')} hidden={elsewhere.length === 0}>
          {elsewhere.map((problem) => (
            <li key={`${problem.field}:${problem.message}`}>{describe(problem)}</li>
          ))}
        </ul>
        {error && <ErrorAlert error={error} />}
        <div class="actions">
          <button type="submit" class="primary" disabled={working}>
            {t('recipe_ui_add')}
          </button>
          <button type="button" disabled={working} onClick={() => void test()}>
            {t('recipe_ui_test')}
          </button>
          <p role="status" class="status">
            {said}
          </p>
        </div>
      </form>
    </section>
  );
}

/** A problem as one line: where, then what. */
function describe({ field, message }: FieldProblem): string {
  return field ? `${field}: ${message}` : message;
}

/** Asks for access to the recipe's origins; the popup works without it (the toolbar button gives access to its tab). */
async function askAccess(origins: string[]): Promise<boolean> {
  if (origins.length === 0) return true;
  try {
    return await browser.permissions.request({ origins });
  } catch {
    return false;
  }
}
