import { t, type MessageKey } from '../core/i18n.ts';
import type { FieldProblem } from '../sites/recipe/validate.ts';

/**
 * The options page's side of recipes: checking one (the validator loads on first use, keeping the page's own
 * bundle small) and the fields of the "fill in a form" way of writing one.
 */

/** A checked recipe: `text` is what goes to the background, `permissions` the hosts its origins need. */
export type Checked = { ok: true; text: string; permissions: string[] } | { ok: false; problems: FieldProblem[] };

/** Parses and checks a recipe. */
export async function checkRecipe(value: string | unknown): Promise<Checked> {
  const [{ parseRecipe, validateRecipe }, { permissionFor }] = await Promise.all([
    import('../sites/recipe/validate.ts'),
    import('../sites/recipe/origin-pattern.ts'),
  ]);
  const checked = typeof value === 'string' ? parseRecipe(value) : validateRecipe(value);
  if (!checked.ok) return checked;
  const permissions = checked.recipe.origins.flatMap((pattern) => permissionFor(pattern) ?? []);
  return { ok: true, text: JSON.stringify(checked.recipe), permissions };
}

/** One input of the form: its place in the recipe (as problems name it), its label, and whether it may stay empty. */
export interface FormField {
  field: string;
  label: MessageKey;
  optional?: true;
  /** Parsed as JSON (the create body). */
  json?: true;
  placeholder: string;
}

export const FORM_FIELDS: readonly FormField[] = [
  { field: 'id', label: 'recipe_f_id', placeholder: 'my-forge' },
  { field: 'name', label: 'recipe_f_name', placeholder: 'My Forge' },
  { field: 'origins.0', label: 'recipe_f_origin', placeholder: 'https://git.example.com' },
  { field: 'whoami.path', label: 'recipe_f_whoamiPath', placeholder: '/api/v1/user' },
  { field: 'whoami.userId', label: 'recipe_f_userId', placeholder: '/login' },
  { field: 'whoami.userName', label: 'recipe_f_userName', optional: true, placeholder: '/full_name' },
  { field: 'csrf.cookie', label: 'recipe_f_csrfCookie', optional: true, placeholder: '_csrf' },
  { field: 'csrf.header', label: 'recipe_f_csrfHeader', optional: true, placeholder: 'X-Csrf-Token' },
  { field: 'create.path', label: 'recipe_f_createPath', placeholder: '/api/v1/users/{userId}/tokens' },
  { field: 'create.body', label: 'recipe_f_createBody', optional: true, json: true, placeholder: '{"name": "{name}"}' },
  { field: 'create.secret', label: 'recipe_f_secret', placeholder: '/sha1' },
  { field: 'create.id', label: 'recipe_f_tokenId', optional: true, placeholder: '/id' },
  { field: 'list.path', label: 'recipe_f_listPath', optional: true, placeholder: '/api/v1/users/{userId}/tokens' },
  { field: 'list.id', label: 'recipe_f_listId', optional: true, placeholder: '/id' },
  { field: 'list.name', label: 'recipe_f_listName', optional: true, placeholder: '/name' },
  { field: 'revoke.path', label: 'recipe_f_revokePath', optional: true, placeholder: '/api/v1/users/{userId}/tokens/{tokenId}' },
  { field: 'auth.header', label: 'recipe_f_authHeader', placeholder: 'Authorization' },
  { field: 'auth.value', label: 'recipe_f_authValue', placeholder: 'token {token}' },
  { field: 'verify.path', label: 'recipe_f_verifyPath', placeholder: '/api/v1/user' },
];

/**
 * The recipe the form's values describe: empty optional fields are left out, a group (csrf, list, revoke) only
 * appears when one of its fields is filled, and the create body is JSON (its parse problem is the body field's).
 */
export function recipeFromForm(values: Record<string, string>): { recipe: unknown } | { problems: FieldProblem[] } {
  const recipe: Record<string, any> = { format: 1 };
  for (const { field, json } of FORM_FIELDS) {
    const text = values[field]?.trim() ?? '';
    if (!text) continue;
    let value: unknown = text;
    if (json) {
      try {
        value = JSON.parse(text);
      } catch {
        return { problems: [{ field, message: t('recipe_v_json') }] };
      }
    }
    const [group, key] = field.split('.') as [string, string | undefined];
    if (key === undefined) recipe[group] = value;
    else if (group === 'origins') recipe.origins = [value];
    else (recipe[group] ??= {})[key] = value;
  }
  if (recipe.csrf) recipe.csrf.from = 'cookie';
  // Required groups appear even when empty, so their fields are named as missing.
  for (const group of ['whoami', 'create', 'auth', 'verify']) recipe[group] ??= {};
  return { recipe };
}

/** The form's fields as a recipe names them, to tell problems the form can show beside a field. */
export const formFieldNames: ReadonlySet<string> = new Set(FORM_FIELDS.map(({ field }) => field));
