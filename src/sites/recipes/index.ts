/**
 * The built-in recipes (format: src/sites/recipe/format.ts), one JSON file per app beside this one. They are always
 * present next to the user's own. Typed `unknown` on purpose: each one goes through the same validation as a pasted
 * recipe, and a unit test fails on any that does not pass it.
 */
export const builtInRecipes: readonly unknown[] = [];
