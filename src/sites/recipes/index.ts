/**
 * The built-in recipes (format: src/sites/recipe/format.ts): every JSON file beside this one, always present next to
 * the user's own. Each ships as a file of its own that the worker reads when it first needs the recipes, not inside
 * the worker's bundle, which must stay small (it loads on every wake-up). A unit test checks every one of them with
 * the same validation as a pasted recipe. Sources of every API fact: the header comments of test/sites/<app>.ts.
 */
export const builtInRecipeUrls: readonly string[] = Object.values(
  import.meta.glob<string>('./*.json', { query: '?url&no-inline', import: 'default', eager: true }),
);
