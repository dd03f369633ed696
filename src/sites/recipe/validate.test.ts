import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoRecipe } from '../../../test/sites/recipe-demo.ts';
import { parseRecipe, validateRecipe, type FieldProblem } from './validate.ts';

type Mutable = Record<string, any>;

/** A complete recipe using every field, changed by `change`. */
function full(change: (recipe: Mutable) => void = () => {}): Mutable {
  const recipe: Mutable = {
    ...demoRecipe('https://forge.example.com'),
    envName: 'FORGE_TOKEN',
    csrf: { from: 'page', path: '/settings', meta: 'csrf-token', header: 'X-CSRF-Token' },
  };
  recipe.whoami.org = '/org';
  recipe.whoami.signedOutStatuses = [401, 403];
  recipe.token.scopes.join = ' ';
  recipe.create.method = 'PUT';
  recipe.create.contentType = 'json';
  recipe.list.items = '/data';
  recipe.list.lastUsedAt = '/last_used';
  recipe.revoke.method = 'POST';
  recipe.verify.userId = '/login';
  recipe.verify.invalidStatuses = [401];
  recipe.failures = [{ status: 403, contains: 'Password confirmation is required', next: 'sign-in' }, { status: 412, next: 'reload' }];
  change(recipe);
  return recipe;
}

function problemsOf(recipe: unknown): FieldProblem[] {
  const checked = validateRecipe(recipe);
  return checked.ok ? [] : checked.problems;
}

describe('a valid recipe', () => {
  it('passes with every field', () => {
    expect(validateRecipe(full())).toEqual({ ok: true, recipe: full() });
  });

  it('passes with only the required fields', () => {
    const minimal = {
      format: 1,
      id: 'x',
      name: 'X',
      origins: ['https://x.example'],
      whoami: { path: '/me', userId: '/id' },
      create: { path: '/tokens', secret: '' },
      auth: { header: 'X-Token', value: '{token}' },
      verify: { path: '/me' },
    };
    expect(problemsOf(minimal)).toEqual([]);
  });

  it('passes with the new token’s id looked up in the list rather than read from the answer', () => {
    expect(problemsOf(full((r) => ((r.create.idFromList = true), delete r.create.id)))).toEqual([]);
  });

  it('the example beside the format passes', () => {
    expect(problemsOf(JSON.parse(readFileSync(join(import.meta.dirname, 'example.json'), 'utf8')))).toEqual([]);
  });

  // The built-in recipes ship as files the worker reads without checking them again.
  const builtIns = join(import.meta.dirname, '../recipes');
  it.each(readdirSync(builtIns).filter((file) => file.endsWith('.json')))('the built-in recipe %s passes', (file) => {
    expect(problemsOf(JSON.parse(readFileSync(join(builtIns, file), 'utf8')))).toEqual([]);
  });
});

const P = (field: string, message: string): FieldProblem => ({ field, message });

describe('every field says what is wrong with it', () => {
  it.each<[string, (recipe: Mutable) => void, FieldProblem[]]>([
    ['format', (r) => (r.format = 2), [P('format', 'Use one of: 1.')]],
    ['id: missing', (r) => delete r.id, [P('id', 'This field is required.')]],
    ['id: capitals', (r) => (r.id = 'Forge'), [P('id', 'Use lower-case letters, digits and dashes, starting with a letter.')]],
    ['id: too long', (r) => (r.id = 'a'.repeat(41)), [P('id', 'Use 1 to 40 characters.')]],
    ['name: a number', (r) => (r.name = 5), [P('name', 'Use text here.')]],
    ['name: a line break', (r) => (r.name = 'a\nb'), [P('name', 'Line breaks are not allowed here.')]],
    ['origins: none', (r) => (r.origins = []), [P('origins', 'Give 1 to 20 entries.')]],
    ['origins: not a list', (r) => (r.origins = 'https://x.example'), [P('origins', 'Use a list here: […].')]],
    ...['<all_urls>', '*://*/*', 'https://*', 'https://*.com', '*://*', 'https://x.example/path', 'ftp://x.example', 'HTTPS://X.EXAMPLE', 'https://x.example:99999'].map(
      (origin): [string, (recipe: Mutable) => void, FieldProblem[]] => [
        `origins: ${origin}`,
        (r) => (r.origins = ['https://ok.example', origin]),
        [
          P(
            'origins.1',
            'Use scheme://host[:port] in lower case, e.g. https://git.example.com or https://*.example.com; patterns for every site are refused.',
          ),
        ],
      ],
    ),
    ['loginPath', (r) => (r.loginPath = 'https://evil.example/login'), [P('loginPath', pathMessage())]],
    ['envName', (r) => (r.envName = 'forge-token'), [P('envName', 'Use capitals, digits and _, starting with a capital.')]],
    ['headers: a browser header', (r) => (r.headers = { Cookie: 'a=b' }), [P('headers.Cookie', 'The browser sets Cookie itself; a recipe cannot.')]],
    ['headers: a Sec- header', (r) => (r.headers = { 'Sec-Fetch-Site': 'none' }), [P('headers.Sec-Fetch-Site', 'The browser sets Sec-Fetch-Site itself; a recipe cannot.')]],
    ['headers: a bad name', (r) => (r.headers = { 'X Y': '1' }), [P('headers.X Y', 'Use a header name of letters, digits and dashes.')]],
    ['headers: a split value', (r) => (r.headers = { 'X-Y': '1\r\nX-Z: 2' }), [P('headers.X-Y', 'Line breaks are not allowed here.')]],
    ['whoami: missing', (r) => delete r.whoami, [P('whoami', 'This field is required.')]],
    ['whoami.path: a placeholder', (r) => (r.whoami.path = '/users/{userId}'), [P('whoami.path', 'This field takes no placeholders, so {userId} cannot be used here.')]],
    ['whoami.userId: not a pointer', (r) => (r.whoami.userId = 'login'), [P('whoami.userId', pointerMessage())]],
    ['whoami.userName: a bad escape', (r) => (r.whoami.userName = '/a~2'), [P('whoami.userName', pointerMessage())]],
    ['whoami.org', (r) => (r.whoami.org = 5), [P('whoami.org', pointerMessage())]],
    ['whoami.expect', (r) => (r.whoami.expect = ['/a', 'b']), [P('whoami.expect.1', pointerMessage())]],
    ['whoami.signedOutStatuses', (r) => (r.whoami.signedOutStatuses = [401, 99]), [P('whoami.signedOutStatuses.1', 'Use a whole number from 100 to 599.')]],
    ['whoami: a typo', (r) => (r.whoami.userid = '/id'), [P('whoami.userid', 'Tokenmint does not know this field; check its spelling.')]],
    ['csrf.from', (r) => (r.csrf = { from: 'magic' }), [P('csrf.from', 'Use one of: none, cookie, page, json, header.')]],
    ['csrf: cookie without header', (r) => (r.csrf = { from: 'cookie', cookie: 'x' }), [P('csrf.header', 'This field is required.')]],
    ['csrf.cookie', (r) => (r.csrf = { from: 'cookie', cookie: 'a b', header: 'X-T' }), [P('csrf.cookie', 'Use a cookie name without spaces, = or ;.')]],
    ['csrf: page with both', (r) => (r.csrf.input = 'csrf'), [P('csrf', 'Give exactly one of meta and input.')]],
    ['csrf: page with neither', (r) => delete r.csrf.meta, [P('csrf', 'Give exactly one of meta and input.')]],
    ['csrf.path', (r) => (r.csrf.path = '//evil.example/'), [P('csrf.path', pathMessage())]],
    ['csrf.pointer', (r) => (r.csrf = { from: 'json', path: '/c', pointer: 'token', header: 'X-T' }), [P('csrf.pointer', pointerMessage())]],
    ['csrf.responseHeader', (r) => (r.csrf = { from: 'header', path: '/c', responseHeader: 'Set-Cookie:', header: 'X-T' }), [P('csrf.responseHeader', 'Use a header name of letters, digits and dashes.')]],
    ['csrf.header', (r) => (r.csrf.header = 'Origin'), [P('csrf.header', 'The browser sets Origin itself; a recipe cannot.')]],
    ['token.name.maxLength', (r) => (r.token.name.maxLength = 0), [P('token.name.maxLength', 'Use a whole number from 1 to 1000.')]],
    ['token.name.pattern', (r) => (r.token.name.pattern = '(['), [P('token.name.pattern', 'This is not a regular expression Tokenmint can use.')]],
    ['token.scopes.choices', (r) => (r.token.scopes.choices = [{ id: '' }]), [P('token.scopes.choices.0.id', 'Use 1 to 200 characters.')]],
    ['token.scopes.choices: an extra key', (r) => (r.token.scopes.choices = [{ id: 'a', label: 'A' }]), [P('token.scopes.choices.0.label', 'Tokenmint does not know this field; check its spelling.')]],
    ['token.scopes.defaults', (r) => (r.token.scopes.defaults = ['admin']), [P('token.scopes.defaults.0', 'Each default must be one of the choices.')]],
    ['token.scopes.atLeastOne', (r) => (r.token.scopes.atLeastOne = 'yes'), [P('token.scopes.atLeastOne', 'Use one of: true, false.')]],
    ['token.expiry.format', (r) => (r.token.expiry.format = 'rfc2822'), [P('token.expiry.format', 'Use one of: iso, date, unix, unix-ms, seconds, days.')]],
    ['token.expiry days', (r) => (r.token.expiry.defaultDays = 100), [P('token.expiry', 'Keep minDays ≤ defaultDays ≤ maxDays.')]],
    ['token.expiry.maxDays', (r) => (r.token.expiry.maxDays = 1.5), [P('token.expiry.maxDays', 'Use a whole number from 1 to 3650.')]],
    ['create.method', (r) => (r.create.method = 'GET'), [P('create.method', 'Use one of: POST, PUT, PATCH.')]],
    ['create.path: a placeholder it cannot take', (r) => (r.create.path = '/t/{tokenId}'), [P('create.path', '{tokenId} cannot be used here; this field takes {userId} {userName}.')]],
    ['create.path: climbing out', (r) => (r.create.path = '/api/../admin'), [P('create.path', pathMessage())]],
    ['create.path: encoded dots', (r) => (r.create.path = '/api/%2E%2e/admin'), [P('create.path', pathMessage())]],
    ['create.path: a scheme', (r) => (r.create.path = 'javascript:alert(1)'), [P('create.path', pathMessage())]],
    ['create.contentType', (r) => (r.create.contentType = 'xml'), [P('create.contentType', 'Use one of: json, form.')]],
    ['create.body: a placeholder it cannot take', (r) => (r.create.body = { a: ['{token}'] }), [P('create.body.a.0', '{token} cannot be used here; this field takes {name} {scopes} {expiresAt} {userId} {userName}.')]],
    ['create.body: a form that nests', (r) => ((r.create.contentType = 'form'), (r.create.body = { a: { b: 'c' } })), [P('create.body', 'A form body is an object of field names and text.')]],
    ['create.body: too deep', (r) => (r.create.body = JSON.parse('['.repeat(12) + ']'.repeat(12))), [P('create.body' + '.0'.repeat(11), 'The body nests too deeply (at most 10 levels).')]],
    ['create.secret', (r) => delete r.create.secret, [P('create.secret', 'This field is required.')]],
    ['create.id', (r) => (r.create.id = 'id'), [P('create.id', pointerMessage())]],
    ['create.okStatuses', (r) => (r.create.okStatuses = []), [P('create.okStatuses', 'Give 1 to 20 entries.')]],
    ['create.idFromList: not a flag', (r) => (r.create.idFromList = 'yes'), [P('create.idFromList', 'Use one of: true, false.')]],
    ['create.idFromList beside create.id', (r) => (r.create.idFromList = true), [P('create.idFromList', 'Give either id or idFromList, not both.')]],
    [
      'create.idFromList without a list',
      (r) => ((r.create.idFromList = true), delete r.create.id, delete r.list),
      [P('create.idFromList', 'idFromList looks the id up in the token list: add a list request (list).')],
    ],
    ['failures: none', (r) => (r.failures = []), [P('failures', 'Give 1 to 20 entries.')]],
    ['failures.status', (r) => (r.failures[0].status = 99), [P('failures.0.status', 'Use a whole number from 100 to 599.')]],
    ['failures.contains', (r) => (r.failures[0].contains = ''), [P('failures.0.contains', 'Use 1 to 200 characters.')]],
    ['failures.next: free text', (r) => (r.failures[1].next = 'Call the helpdesk.'), [P('failures.1.next', 'Use one of: sign-in, reload, check-input, ask-admin, retry-later.')]],
    ['failures.next: missing', (r) => delete r.failures[1].next, [P('failures.1.next', 'This field is required.')]],
    ['list.path', (r) => (r.list.path = 'tokens'), [P('list.path', pathMessage())]],
    ['list.id', (r) => delete r.list.id, [P('list.id', 'This field is required.')]],
    ['list.scopes', (r) => (r.list.scopes = ['/scopes']), [P('list.scopes', pointerMessage())]],
    ['revoke.path: a placeholder it cannot take', (r) => (r.revoke.path = '/t/{name}'), [P('revoke.path', '{name} cannot be used here; this field takes {userId} {userName} {tokenId}.')]],
    ['revoke.method', (r) => (r.revoke.method = 'PUT'), [P('revoke.method', 'Use one of: DELETE, POST.')]],
    ['auth.value: no {token}', (r) => (r.auth.value = 'Bearer'), [P('auth.value', 'Put {token} in the value exactly once.')]],
    ['auth.value: two', (r) => (r.auth.value = '{token}{token}'), [P('auth.value', 'Put {token} in the value exactly once.')]],
    ['auth.header', (r) => (r.auth.header = 'Proxy-Authorization'), [P('auth.header', 'The browser sets Proxy-Authorization itself; a recipe cannot.')]],
    ['verify.path', (r) => (r.verify.path = '/me#x'), [P('verify.path', pathMessage())]],
    ['verify.invalidStatuses', (r) => (r.verify.invalidStatuses = '401'), [P('verify.invalidStatuses', 'Use a list here: […].')]],
    ['csrf.meta', (r) => (r.csrf.meta = 5), [P('csrf.meta', 'Use text here.')]],
    ['token: not an object', (r) => (r.token = []), [P('token', 'Use an object here: {…}.')]],
    ['token.name.hint', (r) => (r.token.name.hint = ''), [P('token.name.hint', 'Use 1 to 300 characters.')]],
    ['token.scopes.join', (r) => (r.token.scopes.join = ''), [P('token.scopes.join', 'Use 1 to 10 characters.')]],
    ['token.scopes.choices: a description', (r) => (r.token.scopes.choices = [{ id: 'a', description: 1 }]), [P('token.scopes.choices.0.description', 'Use text here.')]],
    ['token.expiry.minDays', (r) => (r.token.expiry.minDays = 0), [P('token.expiry.minDays', 'Use a whole number from 1 to 3650.')]],
    ['create.name', (r) => (r.create.name = '#/name'), [P('create.name', pointerMessage())]],
    ...(['items', 'name', 'createdAt', 'expiresAt', 'lastUsedAt'] as const).map(
      (key): [string, (recipe: Mutable) => void, FieldProblem[]] => [`list.${key}`, (r) => (r.list[key] = 'x'), [P(`list.${key}`, pointerMessage())]],
    ),
    ['revoke.okStatuses', (r) => (r.revoke.okStatuses = [600]), [P('revoke.okStatuses.0', 'Use a whole number from 100 to 599.')]],
    ['verify.userId', (r) => (r.verify.userId = 'login'), [P('verify.userId', pointerMessage())]],
    ['an unknown top-level field', (r) => (r.extra = true), [P('extra', 'Tokenmint does not know this field; check its spelling.')]],
  ])('%s', (_, change, problems) => {
    expect(problemsOf(full(change))).toEqual(problems);
  });

  it('reports every problem at once', () => {
    const problems = problemsOf(full((r) => ((r.id = ''), (r.verify = {}), (r.auth.header = ''))));
    expect(problems.map((problem) => problem.field)).toEqual(['id', 'auth.header', 'verify.path']);
  });

  it('takes anything but an object as a recipe as one problem', () => {
    expect(problemsOf([])).toEqual([P('', 'Use an object here: {…}.')]);
  });
});

describe('parseRecipe', () => {
  it('says when the text is no JSON', () => {
    expect(parseRecipe('{"format": 1,')).toEqual({ ok: false, problems: [P('', 'This is not JSON: check its commas, quotes and brackets.')] });
  });

  it('parses and checks pasted text', () => {
    expect(parseRecipe(JSON.stringify(full()))).toEqual({ ok: true, recipe: full() });
  });
});

function pathMessage(): string {
  return 'Use a path on the site that starts with /: no //, no scheme, no . or .. segments, no \\, # or spaces.';
}

function pointerMessage(): string {
  return 'Use a JSON pointer: empty for the whole answer, or / and a name per level, e.g. /data/id.';
}
