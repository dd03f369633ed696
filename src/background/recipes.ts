import browser from 'webextension-polyfill';
import { siteError } from '../core/errors.ts';
import { t } from '../core/i18n.ts';
import type { Answer, RecipeEntry } from '../core/messages.ts';
import { RECIPE_PREFIX, recipeSite } from '../sites/recipe/adapter.ts';
import type { Recipe } from '../sites/recipe/format.ts';
import { matchesOrigin } from '../sites/recipe/origin-pattern.ts';
import { builtInRecipeUrls } from '../sites/recipes/index.ts';
import type { Site } from '../sites/types.ts';
import { scriptingClient } from './scripting-client.ts';

/**
 * The user's recipes, kept in `storage.local` (a recipe holds no secret), and the built-in ones, always present. A
 * recipe becomes an adapter only for origins its patterns match, or one an override in the options assigns to it.
 */

const KEY = 'recipes';
/** Enough for anyone; keeps a runaway import from filling storage. */
const MAX_RECIPES = 100;

let builtIns: Promise<Recipe[]> | undefined;

/**
 * The built-in recipes, read from the extension's own files once per worker start (a unit test keeps them valid).
 * Should that ever fail, recognition goes on with the other sites, and the next call reads them again.
 */
function builtInRecipes(): Promise<Recipe[]> {
  builtIns ??= Promise.all(
    builtInRecipeUrls.map(async (url) => (await fetch(browser.runtime.getURL(url))).json() as Promise<Recipe>),
  ).catch(() => {
    builtIns = undefined;
    return [];
  });
  return builtIns;
}

/**
 * The user's recipes. Only the options page writes them, after the same checks as every pasted recipe (validate.ts);
 * the rules that keep a recipe on the tab's origin are enforced again wherever a request is built.
 */
async function userRecipes(): Promise<Recipe[]> {
  const stored = (await browser.storage.local.get(KEY))[KEY];
  return Array.isArray(stored) ? (stored as Recipe[]) : [];
}

export async function allRecipes(): Promise<RecipeEntry[]> {
  const builtIn = (await builtInRecipes()).map((recipe) => ({ recipe, builtIn: true }));
  return [...builtIn, ...(await userRecipes()).map((recipe) => ({ recipe, builtIn: false }))];
}

/** One adapter per recipe text, so a recipe always gives the same adapter until it changes. */
const adapters = new Map<string, { text: string; site: Site }>();

function adapterOf(recipe: Recipe): Site {
  const text = JSON.stringify(recipe);
  let cached = adapters.get(recipe.id);
  if (cached?.text !== text) adapters.set(recipe.id, (cached = { text, site: recipeSite(recipe) }));
  return cached.site;
}

const matches = (recipe: Recipe, origin: string) => recipe.origins.some((pattern) => matchesOrigin(pattern, origin));

/** The adapters of the recipes whose patterns match `origin`: the only recipes recognition asks about it. */
export async function recipeSitesFor(origin: string): Promise<Site[]> {
  return (await allRecipes()).filter(({ recipe }) => matches(recipe, origin)).map(({ recipe }) => adapterOf(recipe));
}

/** Whether one of the user's own recipes matches `origin` (one may have been added since the origin was unknown). */
export async function ownRecipeMatches(origin: string): Promise<boolean> {
  return (await userRecipes()).some((recipe) => matches(recipe, origin));
}

/**
 * The adapter of `siteId` (`recipe:<id>`) on `origin`, if that recipe applies there: its patterns match, or the
 * user's override for the origin names it (`assigned`).
 */
export async function recipeSiteFor(origin: string, siteId: string, assigned: boolean): Promise<Site | undefined> {
  if (!siteId.startsWith(RECIPE_PREFIX)) return undefined;
  const found = (await allRecipes()).find(({ recipe }) => RECIPE_PREFIX + recipe.id === siteId);
  return found && (assigned || matches(found.recipe, origin)) ? adapterOf(found.recipe) : undefined;
}

/** Every recipe as an adapter id and name, for the options' override choices. */
export async function recipeNames(): Promise<{ id: string; name: string }[]> {
  return (await allRecipes()).map(({ recipe }) => ({ id: RECIPE_PREFIX + recipe.id, name: recipe.name }));
}

/** Adds a recipe the options page has checked, or replaces the user's own with the same id; a built-in one keeps its id. */
export async function saveRecipe(text: string): Promise<Answer<'recipe-save'>> {
  const recipe = JSON.parse(text) as Recipe;
  if ((await builtInRecipes()).some(({ id }) => id === recipe.id)) {
    return { problems: [{ field: 'id', message: t('recipe_v_builtin_id') }] };
  }
  const others = (await userRecipes()).filter(({ id }) => id !== recipe.id);
  if (others.length >= MAX_RECIPES) return { problems: [{ field: '', message: t('recipe_v_too_many', MAX_RECIPES) }] };
  await browser.storage.local.set({ [KEY]: [...others, recipe] });
  return { saved: { recipe, builtIn: false } };
}

export async function deleteRecipe(id: string): Promise<null> {
  await browser.storage.local.set({ [KEY]: (await userRecipes()).filter((recipe) => recipe.id !== id) });
  return null;
}

/**
 * A dry run of a checked recipe's who-am-I in an open tab its patterns match (the one used last): who it finds
 * there. Nothing is saved and nothing but the who-am-I is sent.
 */
export async function testRecipe(text: string): Promise<Answer<'recipe-test'>> {
  const recipe = JSON.parse(text) as Recipe;
  // Tabs show their URL only where the extension has access; those are the ones a dry run can use anyway.
  const tab = (await browser.tabs.query({}))
    .filter((tab) => tab.id !== undefined && /^https?:/.test(tab.url ?? '') && matches(recipe, new URL(tab.url!).origin))
    .sort((a, b) => (b.lastAccessed ?? 0) - (a.lastAccessed ?? 0))[0];
  if (!tab) throw siteError('not-found', t('recipe_test_no_tab', recipe.name), t('recipe_test_no_tab_next'));
  const origin = new URL(tab.url!).origin;
  const probe = await recipeSite(recipe).probe(scriptingClient(tab.id!, origin));
  return probe.kind === 'signed-in'
    ? { origin, found: 'signed-in', user: { id: probe.user.id, name: probe.user.name } }
    : { origin, found: probe.kind };
}
