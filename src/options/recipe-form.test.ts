import { describe, expect, it } from 'vitest';
import { checkRecipe, FORM_FIELDS, formFieldNames, recipeFromForm } from './recipe-form.ts';

const filled = {
  id: 'forge',
  name: 'Forge',
  'origins.0': ' https://git.example.com ',
  'whoami.path': '/api/v1/user',
  'whoami.userId': '/login',
  'whoami.userName': '',
  'csrf.cookie': '_csrf',
  'csrf.header': 'X-Csrf-Token',
  'create.path': '/api/v1/users/{userId}/tokens',
  'create.body': '{"name": "{name}", "scopes": "{scopes}"}',
  'create.secret': '/sha1',
  'auth.header': 'Authorization',
  'auth.value': 'token {token}',
  'verify.path': '/api/v1/user',
};

/** The form's recipe, checked as the Add button checks it. */
async function checkForm(values: Record<string, string>) {
  const built = recipeFromForm(values);
  if (!('recipe' in built)) throw new Error(`no recipe: ${JSON.stringify(built.problems)}`);
  return checkRecipe(built.recipe);
}

describe('the recipe form', () => {
  it('builds the recipe its fields describe, leaving out empty optional ones and groups', () => {
    expect(recipeFromForm(filled)).toEqual({
      recipe: {
        format: 1,
        id: 'forge',
        name: 'Forge',
        origins: ['https://git.example.com'],
        whoami: { path: '/api/v1/user', userId: '/login' },
        csrf: { from: 'cookie', cookie: '_csrf', header: 'X-Csrf-Token' },
        create: { path: '/api/v1/users/{userId}/tokens', body: { name: '{name}', scopes: '{scopes}' }, secret: '/sha1' },
        auth: { header: 'Authorization', value: 'token {token}' },
        verify: { path: '/api/v1/user' },
      },
    });
  });

  it('says when the body is no JSON, at the body field', () => {
    expect(recipeFromForm({ ...filled, 'create.body': '{name}' })).toEqual({
      problems: [{ field: 'create.body', message: 'This is not JSON: check its commas, quotes and brackets.' }],
    });
  });

  it('keeps the required groups when empty, so that their fields are named as missing', async () => {
    const checked = await checkForm({});
    expect(checked.ok).toBe(false);
    const fields = checked.ok ? [] : checked.problems.map((problem) => problem.field);
    expect(fields).toEqual(['id', 'name', 'origins', 'whoami.path', 'whoami.userId', 'create.path', 'create.secret', 'auth.header', 'auth.value', 'verify.path']);
    // Every one of them has its input in the form (origins as its first entry).
    for (const field of fields) expect(formFieldNames.has(field === 'origins' ? 'origins.0' : field), field).toBe(true);
  });

  it('every field of the form is one the recipe format knows', async () => {
    const everything = Object.fromEntries(FORM_FIELDS.map(({ field }) => [field, field === 'create.body' ? '{}' : '/x']));
    const checked = await checkForm(everything);
    const unknown = checked.ok ? [] : checked.problems.filter((problem) => problem.message.includes('does not know this field'));
    expect(unknown).toEqual([]);
  });
});

describe('checkRecipe', () => {
  it('gives the text to send and the hosts to ask for', async () => {
    expect(await checkForm({ ...filled, 'origins.0': 'https://*.example.com:8443' })).toMatchObject({ ok: true, permissions: ['https://*.example.com/*'] });
  });

  it('parses pasted text', async () => {
    expect(await checkRecipe('[')).toEqual({ ok: false, problems: [{ field: '', message: 'This is not JSON: check its commas, quotes and brackets.' }] });
  });
});
