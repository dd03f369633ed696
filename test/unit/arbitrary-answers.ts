// What the parser property tests (parsers.property.test.ts) feed the adapters: site answers that are recorded (the
// GoodData cassette in shared/fixtures, and the emulated sites driven by the adapters themselves), then replayed as
// they were, mutated, or replaced by random ones, through a fake PageClient that answers each request from a script
// fast-check generates.
import { readFile } from 'node:fs/promises';
import fc from 'fast-check';
import { parse } from 'yaml';
import { SiteError, siteError, type ErrorCode } from '../../src/core/errors.ts';
import type { PageClient } from '../../src/core/page-client.ts';
import type { PageRequest, PageResponse } from '../../src/core/page-request.ts';
import type { SiteToken } from '../../src/core/token.ts';
import { siteById } from '../../src/sites/index.ts';
import type { FormSpec, Minted, MintInput, Probe, SiteId, SiteUser } from '../../src/sites/types.ts';
import { mintInput } from '../../src/sites/types.ts';
import { emulatedSites } from '../sites/index.ts';
import { nodePageClient } from './node-page-client.ts';

// ---------------------------------------------------------------------------------------------------------------------
// Recorded answers.

/** One answer a site gave, keyed by what was asked (method and pathname, without the query). */
export interface Recorded {
  method: string;
  path: string;
  response: PageResponse;
}

/** What driving one emulated site with its adapter left behind: its answers, and real inputs for the next calls. */
export interface Capture {
  siteId: SiteId;
  origin: string;
  answers: Recorded[];
  /** The signed-in user as the adapter's probe read it. */
  user: SiteUser;
  /** The last token the adapter made there (its id, name and secret are what the site really uses). */
  minted: Minted;
  /** Every token id the adapter listed there. */
  listedIds: string[];
  /** Steps that did not work while capturing; the answers they got are in `answers` all the same. */
  problems: string[];
}

const GOODDATA_CASSETTE = new URL('../../../shared/fixtures/gooddata/api_tokens_recorded.yaml', import.meta.url);

interface CassetteInteraction {
  request: { method: string; uri: string };
  response: { status: { code: number }; headers: Record<string, string[]>; body: { string: unknown } };
}

/** The recorded GoodData.CN traffic (a VCR cassette), as the page client would have handed it to the adapter. */
export async function goodDataCassette(): Promise<Recorded[]> {
  const cassette = parse(await readFile(GOODDATA_CASSETTE, 'utf8')) as { interactions: CassetteInteraction[] };
  return cassette.interactions.map(({ request, response }) => {
    const body = response.body.string;
    const headers = Object.fromEntries(
      Object.entries(response.headers).map(([name, values]) => [name.toLowerCase(), values.map(String).join(', ')]),
    );
    return {
      method: request.method,
      path: new URL(request.uri).pathname,
      response: { status: response.status.code, headers, body: typeof body === 'string' ? body : JSON.stringify(body) },
    };
  });
}

/** A client that notes every answer it gets (also those of requests made outside an adapter). */
function recording(inner: PageClient, answers: Recorded[]): PageClient {
  return {
    origin: inner.origin,
    async request(request) {
      const response = await inner.request(request);
      answers.push({ method: request.method, path: pathnameOf(request.path), response });
      return response;
    },
  };
}

function pathnameOf(path: string): string {
  return new URL(path, 'http://x').pathname;
}

/** A realistic input for the site's mint form. */
export function realisticInput(siteId: SiteId, name: string): MintInput {
  switch (siteId) {
    case 'cds':
      return mintInput({ name, description: 'made by the property tests', scopes: ['Project'], expiresInDays: 15 });
    case 'zenodo':
      return mintInput({ name, scopes: ['deposit:write', 'deposit:actions'] });
    case 'frappe':
      return mintInput({ name, replace: true });
    default:
      return mintInput({ name });
  }
}

export const CAPTURE_NAME = 'prop-capture';

/**
 * Starts every emulated site, signs in with its first demo login and drives the adapter through who-am-I, form, list,
 * create (twice: the second one meets a duplicate name where the site refuses those), verify, regenerate and revoke,
 * plus a few requests that provoke the site's own refusals (CSRF, invalid name, signed out). Every answer is kept.
 */
export async function captureEmulatedSites(): Promise<Map<SiteId, Capture>> {
  const captured = await Promise.all(emulatedSites.map((module) => captureOne(module)));
  return new Map(captured.map((capture) => [capture.siteId, capture]));
}

type EmulatedModule = (typeof emulatedSites)[number];

async function captureOne(module: EmulatedModule): Promise<Capture> {
  const site = await module.demo.start(0);
  const answers: Recorded[] = [];
  const problems: string[] = [];
  const adapter = siteById(module.demo.id)!;
  const siteId = adapter.id;
  const step = async <T>(label: string, run: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await run();
    } catch (error) {
      problems.push(`${label}: ${error instanceof SiteError ? error.user.sentence : String(error)}`);
      return undefined;
    }
  };
  try {
    const login = module.demo.logins[0];
    const signIn = module.signIn as (site: { origin: string }, user: string, password: string) => Promise<string>;
    const cookie = await signIn(site, login.user, login.password);
    const anonymous = recording(nodePageClient(site.origin), answers);
    const client = recording(nodePageClient(site.origin, cookie), answers);

    await step('probe signed out', () => adapter.probe(anonymous));
    await step('verify a wrong secret', () => adapter.verify(anonymous, 'wrong-secret-0123456789abcdef'));
    const probe = await step('probe', () => adapter.probe(client));
    const user: SiteUser = probe?.kind === 'signed-in' ? probe.user : { id: login.user, name: login.user };
    await step('form', async () => adapter.form?.(client, user));
    const listedIds = new Set<string>();
    const list = async (label: string) => {
      for (const token of (await step(label, () => adapter.list(client, user))) ?? []) listedIds.add(token.id);
    };
    await list('list before');
    const input = realisticInput(siteId, CAPTURE_NAME);
    const first = await step('mint', () => adapter.mint(client, user, input));
    const second = await step('mint again, same name', () => adapter.mint(client, user, input));
    let minted = second ?? first;
    await list('list after');
    if (minted) await step('verify', () => adapter.verify(client, minted!.secret));
    if (minted && adapter.regenerate) minted = (await step('regenerate', () => adapter.regenerate!(client, user, minted!.id))) ?? minted;
    await step('refusals', () => provokeRefusals(siteId, client, user));
    if (first && second && first.id !== second.id) await step('revoke', () => adapter.revoke(client, user, first.id));
    await list('list after revoke');
    if (!minted) throw new Error(`${siteId}: no token was made while capturing (${problems.join('; ')})`);
    return { siteId, origin: site.origin, answers, user, minted, listedIds: [...listedIds], problems };
  } finally {
    await site.close();
  }
}

/** Requests the adapters would not make, for the error bodies the sites answer them with. */
async function provokeRefusals(siteId: SiteId, client: PageClient, user: SiteUser): Promise<void> {
  const json = { Accept: 'application/json' };
  const form = { Accept: 'text/html', 'Content-Type': 'application/x-www-form-urlencoded' };
  switch (siteId) {
    case 'gooddata': {
      const path = `/api/v1/entities/users/${encodeURIComponent(user.id)}/apiTokens`;
      const body = JSON.stringify({ data: { id: '.starts-with-a-dot', type: 'apiToken' } });
      await client.request({ method: 'POST', path, headers: { ...json, 'X-Requested-With': 'XMLHttpRequest', 'Content-Type': 'application/json' }, body });
      await client.request({ method: 'GET', path: `${path}/no-such-token`, headers: { ...json, 'X-Requested-With': 'XMLHttpRequest' } });
      break;
    }
    case 'cds': {
      // A write without the XSRF header: CDS's 403 id 11.
      await client.request({ method: 'DELETE', path: `/cdsapi/user/${encodeURIComponent(user.id)}/auth/consumer/no-such-consumer`, headers: json });
      await client.request({ method: 'GET', path: '/cdsapi/mon/version', headers: json });
      break;
    }
    case 'frappe': {
      // Without the CSRF header: 400 CSRFTokenError.
      await client.request({
        method: 'POST',
        path: '/api/method/frappe.core.doctype.user.user.generate_keys',
        headers: { ...json, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ user: user.id }).toString(),
      });
      await client.request({ method: 'GET', path: '/api/resource/User/nobody%40example.com', headers: json });
      break;
    }
    case 'zenodo': {
      const page = await client.request({ method: 'GET', path: '/account/settings/applications/tokens/new/', headers: { Accept: 'text/html' } });
      const csrf = /name="csrf_token"[^>]*value="([^"]*)"/.exec(page.body)?.[1] ?? '';
      // An empty name (the form comes back with its error) and a wrong csrf_token (the form comes back without one).
      for (const fields of [{ name: '', csrf_token: csrf }, { name: 'x', csrf_token: 'wrong' }]) {
        await client.request({ method: 'POST', path: '/account/settings/applications/tokens/new/', headers: form, body: new URLSearchParams(fields).toString() });
      }
      break;
    }
    case 'insightio': {
      // Without X-Requested-With: Play's CSRF filter.
      await client.request({ method: 'POST', path: '/api/token', headers: json });
      await client.request({ method: 'GET', path: '/api/createApiToken', headers: json });
      break;
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Mutations: what a site's answer turns into when it changes shape. Each is data (so fast-check can print and shrink
// it), applied to whichever recorded answer the request meets.

export type Mutation =
  | { op: 'drop'; at: number }
  | { op: 'rename'; at: number; to: string }
  | { op: 'replace'; at: number; value: unknown }
  | { op: 'nest'; at: number; depth: number; inArray: boolean }
  | { op: 'grow'; at: number; times: number; distinct: boolean }
  | { op: 'truncate'; at: number }
  | { op: 'inject'; at: number; text: string }
  | { op: 'splice'; at: number; length: number }
  | { op: 'copy'; at: number; length: number; times: number };

/** Keys that JavaScript treats specially, beside the sites' own field names. */
const NASTY_KEYS = ['toString', 'valueOf', '__proto__', 'constructor', 'then', 'toJSON', 'length', 'hasOwnProperty'];

/** Field names the adapters read: renaming to one of them makes a body say something else. */
const FIELD_NAMES = [
  'id', 'name', 'data', 'attributes', 'bearerToken', 'userId', 'organizationId', 'permissions', 'status', 'path', 'detail',
  'message', 'error', 'reason', 'user', 'consumer', 'username', 'ring', 'type', 'token', 'scope', 'scope_details',
  'auth_consumer_user', 'validity_periods', 'issued_at', 'duration', 'created', 'last_authentication', 'from', 'exc_type',
  '_server_messages', 'api_key', 'api_secret', 'roles', 'role', 'user_type', 'modified', 'full_name', 'email',
  'confirmed_at', 'apiToken', 'lastUsed', 'uid', 'display', 'avatarUrl', 'version', 'git_hash', 'admin',
];

/** The fields of the sites' error bodies: where a refusal says why. */
const ERROR_FIELDS = ['detail', 'message', 'error', 'reason', 'from', 'id', 'status', 'title', 'path', 'exc_type', '_server_messages', '_error_message'];

/** Words the adapters look for in values: a value swapped for one of them takes another branch. */
const DOMAIN_WORDS = [
  'Guest', 'Administrator', 'System Manager', 'Website User', 'System User', 'builtin', 'local', 'ADMIN', 'MAINTAINER',
  'USER', 'AccessToken', 'Project', 'MANAGE', 'SELF_CREATE_TOKEN', 'contract expired', 'license', 'CSRFTokenError',
  'PermissionError', 'SessionStopped', 'ValidationError', 'Credentials required', 'apiToken', '/api/v1/profile', 'csrf',
];

const HUGE_NUMBERS = [
  0, -0, -1, 1, 0.5, 1e21, -1e21, 1e308, -1e308, 2 ** 53, 2 ** 53 + 2, Number.MAX_SAFE_INTEGER, Number.MIN_VALUE, 8.64e15,
  8.64e15 + 1, -8.64e15 - 1, 1e22, 9.2e18, 4294967296, 1e-7,
];

const ODD_STRINGS = [
  '', ' ', 'null', 'undefined', 'NaN', 'true', '0', '-1', '1e400', '[object Object]', '2024-13-45T99:99:99Z',
  '0001-01-01T00:00:00Z', '+275760-09-13T00:00:00.000Z', '-271821-04-20T00:00:00.000Z', '2025-01-01T00:00:00Z', '<b>x</b>',
  '<!doctype html><html>', '<script>alert(1)</script>', '\u0000', '\ud800', '\udfff', '\u202e', '\ufeff', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  'İı', 'ß', 'a\nb', '"', '\\', '%', '%E0%A4%A', '..', '/', '../../x', 'userpass@jane@example.com', 'x'.repeat(300),
];

/** An object with keys JavaScript treats specially (`{"toString": 1}`), or an array of one. */
const nastyObject: fc.Arbitrary<unknown> = fc
  .tuple(
    fc.uniqueArray(fc.tuple(fc.constantFrom(...NASTY_KEYS), fc.jsonValue({ maxDepth: 1 })), { minLength: 1, maxLength: 3, selector: ([key]) => key }),
    fc.boolean(),
  )
  .map(([entries, inArray]) => (inArray ? [ownObject(entries)] : ownObject(entries)));

/** Values that change a field's type or meaning: nulls, huge numbers, odd strings, special keys, deep JSON. */
export const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 3, arbitrary: fc.constantFrom(...HUGE_NUMBERS) },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  { weight: 2, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 3, arbitrary: fc.constantFrom(...ODD_STRINGS) },
  { weight: 2, arbitrary: fc.constantFrom(...DOMAIN_WORDS) },
  { weight: 1, arbitrary: fc.nat({ max: 4000 }).map((n) => 'x'.repeat(n)) },
  { weight: 1, arbitrary: fc.constantFrom({}, [], [null], [[]], { '': '' }) },
  { weight: 4, arbitrary: nastyObject },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

/** An object whose keys are own properties, `__proto__` included (as JSON.parse makes them). */
function ownObject(entries: [string, unknown][]): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (const [key, value] of entries) setOwn(object, key, value);
  return object;
}

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Text that changes what a body is when slipped into it: markup the HTML readers look for, JSON breakers, entities. */
const INJECTIONS = [
  '<!doctype html><html><body>Sign in</body></html>', '<html>', '<!--', '-->', '<script>', '</script>', '<style>', '"', "'",
  '>', '<', '</', '&', '&#x110000;', '&#0;', '&#xD800;', '&amp;', '&nbsp;', '&unknown;', '\u0000', '\ufeff', '\r\n',
  '<input name="csrf_token" value="abc">', '<input name=name>', '<input type="checkbox" name="scopes" value="user:email" id="s9">',
  '<label for="s9">x<small>help</small></label>', '<button name="delete">Delete</button>',
  `<code class="word-break-all">${'A1'.repeat(30)}</code>`, '<code>', '</code>',
  '<div class="ui pointing red label"><p>Name is bad.</p></div>', '<div class="ui pointing red label">',
  '<a href="/account/settings/applications/tokens/new/">New</a>', '<a href="/account/settings/applications/tokens/7/">seven</a>',
  '<a href="https://other.example/account/settings/applications/tokens/8/">x</a>', '<a href=":::">x</a>', '<small class="text-muted">a, b</small>',
  '<br>', '</li>', 'frappe.csrf_token = "0123abcd";', "frappe.csrf_token='';", '{', '}', '[', ']', ',', ':', 'null', '1e400',
  '9'.repeat(400), '-', '"\\ud800"', '\\', '{"a":'.repeat(50),
];

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('drop' as const), at: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('rename' as const),
      at: fc.nat(),
      to: fc.oneof(fc.constantFrom(...NASTY_KEYS, ...FIELD_NAMES, ':upper', ':lower', ':snake', ''), fc.string({ maxLength: 8 })),
    }),
  },
  { weight: 5, arbitrary: fc.record({ op: fc.constant('replace' as const), at: fc.nat(), value: nastyValue }) },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('nest' as const), at: fc.nat(), depth: fc.integer({ min: 1, max: 300 }), inArray: fc.boolean() }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('grow' as const), at: fc.nat(), times: fc.integer({ min: 2, max: 150 }), distinct: fc.boolean() }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant('inject' as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...INJECTIONS), fc.string({ maxLength: 6 })) }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('splice' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 64 }) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('copy' as const),
      at: fc.nat(),
      length: fc.integer({ min: 1, max: 256 }),
      times: fc.integer({ min: 1, max: 40 }),
    }),
  },
);

interface Node {
  parent: Record<string, unknown> | unknown[] | null;
  key: string | number;
  value: unknown;
}

/** Every node of a JSON value, depth first, the root first (parent null); at most `limit` of them. */
function nodesOf(root: unknown, limit = 5000): Node[] {
  const nodes: Node[] = [];
  const stack: Node[] = [{ parent: null, key: '', value: root }];
  while (stack.length > 0 && nodes.length < limit) {
    const node = stack.pop()!;
    nodes.push(node);
    const { value } = node;
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ parent: value, key: i, value: value[i] });
    } else if (typeof value === 'object' && value !== null) {
      const record = value as Record<string, unknown>;
      for (const key of Object.keys(record).reverse()) stack.push({ parent: record, key, value: record[key] });
    }
  }
  return nodes;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Puts `value` where `node` was; returns the new root. */
function put(root: unknown, node: Node, value: unknown): unknown {
  if (node.parent === null) return value;
  if (Array.isArray(node.parent)) node.parent[node.key as number] = value;
  else setOwn(node.parent, node.key as string, value);
  return root;
}

function renamed(key: string, to: string): string {
  switch (to) {
    case ':upper':
      return key.toUpperCase();
    case ':lower':
      return key.toLowerCase();
    case ':snake':
      return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    default:
      return to;
  }
}

function applyToValue(root: unknown, change: Mutation): unknown {
  const nodes = nodesOf(root);
  const pick = <T>(from: T[]): T | undefined => (from.length === 0 ? undefined : from[change.at % from.length]);
  switch (change.op) {
    case 'drop': {
      const node = pick(nodes.filter((n) => n.parent !== null));
      if (!node) return root;
      if (Array.isArray(node.parent)) node.parent.splice(node.key as number, 1);
      else delete (node.parent as Record<string, unknown>)[node.key as string];
      return root;
    }
    case 'rename': {
      const node = pick(nodes.filter((n) => isObject(n.value) && Object.keys(n.value).length > 0));
      if (!node) return root;
      const object = node.value as Record<string, unknown>;
      const keys = Object.keys(object);
      const key = keys[Math.floor(change.at / nodes.length) % keys.length]!;
      const value = object[key];
      const entries = Object.entries(object).filter(([k]) => k !== key);
      entries.push([renamed(key, change.to), value]);
      return put(root, node, ownObject(entries));
    }
    case 'replace': {
      const node = pick(nodes)!;
      return put(root, node, structuredClone(change.value));
    }
    case 'nest': {
      const node = pick(nodes)!;
      let value = node.value;
      for (let i = 0; i < change.depth; i++) value = change.inArray ? [value] : { v: value };
      return put(root, node, value);
    }
    case 'grow': {
      const node = pick(nodes.filter((n) => Array.isArray(n.value) && n.value.length > 0));
      if (!node) return root;
      const items = node.value as unknown[];
      const grown = Array.from({ length: change.times }, (_, i) => {
        const item = structuredClone(items[i % items.length]);
        return change.distinct && i >= items.length ? distinguished(item, i) : item;
      });
      return put(root, node, grown);
    }
    default:
      return root;
  }
}

/** A copy of a list item made different from the original where a list tells items apart (ids, tokens, names). */
function distinguished(item: unknown, index: number): unknown {
  if (!isObject(item)) return typeof item === 'string' ? `${item}-${index}` : item;
  for (const [key, value] of Object.entries(item)) {
    if (typeof value === 'string' && /id|token|name/i.test(key)) setOwn(item, key, `${value}${index}`);
  }
  return item;
}

function applyToText(text: string, change: Mutation): string {
  const at = (n: number) => n % (text.length + 1);
  switch (change.op) {
    case 'truncate':
      return text.slice(0, at(change.at));
    case 'inject':
      return text.slice(0, at(change.at)) + change.text + text.slice(at(change.at));
    case 'splice':
      return text.slice(0, at(change.at)) + text.slice(at(change.at) + change.length);
    case 'copy': {
      const from = at(change.at);
      const piece = text.slice(from, from + change.length);
      return text.slice(0, from) + piece.repeat(change.times) + text.slice(from);
    }
    default:
      return text;
  }
}

const VALUE_OPS = new Set<Mutation['op']>(['drop', 'rename', 'replace', 'nest', 'grow']);

/**
 * The body after the mutations, in order: those on values apply while the body is JSON (parsed once, serialised once
 * a text mutation comes or at the end), those on text apply to any body.
 */
export function mutate(body: string, mutations: readonly Mutation[]): string {
  let value: unknown = parsedOrUndefined(body);
  let text = body;
  for (const change of mutations) {
    if (VALUE_OPS.has(change.op)) {
      if (value !== undefined) value = applyToValue(value, change);
      continue;
    }
    if (value !== undefined) {
      text = JSON.stringify(value);
      value = undefined;
    }
    text = applyToText(text, change);
  }
  return value === undefined ? text : JSON.stringify(value);
}

function parsedOrUndefined(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Statuses, headers and bodies.

export const status: fc.Arbitrary<number> = fc.oneof(
  { weight: 30, arbitrary: fc.constant(200) },
  { weight: 6, arbitrary: fc.constantFrom(201, 204) },
  { weight: 6, arbitrary: fc.constantFrom(0, 301, 302, 303, 307, 308) },
  { weight: 18, arbitrary: fc.constantFrom(400, 401, 403, 404, 409, 417, 422, 429) },
  { weight: 8, arbitrary: fc.constantFrom(500, 502, 503, 504) },
  { weight: 2, arbitrary: fc.integer({ min: 100, max: 599 }) },
);

const CONTENT_TYPES = [
  'application/json', 'application/json; charset=utf-8', 'application/problem+json', 'application/vnd.gooddata.api+json',
  'application/vnd.api+json', 'text/html;charset=UTF-8', 'text/html', 'TEXT/HTML; charset=iso-8859-1', 'text/plain',
  'text/plain;charset=UTF-8', 'application/xhtml+xml', 'application/octet-stream', '', ' ; ', ';;',
];

const LOCATIONS = [
  '/login/?next=%2Faccount%2Fsettings%2Fapplications%2F', '/login', '/login?redirect-to=%2Fapp', '/appLogin?redirectTo=%2F',
  '/auth/signin', '/account/settings/applications/', '/account/settings/applications/tokens/41/',
  '/account/settings/applications/tokens/00/', '/account/settings/applications/tokens/99999999999999999999999/',
  '/account/settings/applications/tokens/new/', 'tokens/5/', 'https://idp.example.com/login?next=/', '//evil.example/x',
  'javascript:alert(1)', 'http://[::1', ':::', '', ' ', '/%E0%A4%A', '\u0000',
];

const RETRY_AFTERS = ['0', '1', '30', '120', '-1', '1.5', 'abc', '1e400', 'Infinity', 'NaN', '', ' 7 ', '0x10', '99999999999999999999', 'Wed, 21 Oct 2015 07:28:00 GMT'];

/** `now` and `past` are read when the answer is served, so that a list's Date header can agree with the clock. */
export type DatePlan = 'now' | 'past' | string;

export interface HeaderPlan {
  /** Start from the recorded answer's headers (replays only). */
  keep: boolean;
  /** null: no content type at all. undefined: leave it as it is. */
  contentType?: string | null;
  retryAfter?: string;
  location?: string;
  date?: DatePlan;
  extra: [string, string][];
}

const optional = <T>(arbitrary: fc.Arbitrary<T>, freq = 3) => fc.option(arbitrary, { nil: undefined, freq });

function headerPlan(keepWeight: number): fc.Arbitrary<HeaderPlan> {
  return fc.record({
    keep: keepWeight > 0 ? fc.oneof({ weight: keepWeight, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }) : fc.constant(false),
    contentType: optional(fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...CONTENT_TYPES) }, { weight: 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.string({ maxLength: 30 }) }), 2),
    retryAfter: optional(fc.oneof(fc.constantFrom(...RETRY_AFTERS), fc.string({ maxLength: 12 }))),
    location: optional(
      fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(...LOCATIONS) },
        { weight: 2, arbitrary: fc.nat().map((id) => `/account/settings/applications/tokens/${id}/`) },
        { weight: 1, arbitrary: fc.webUrl() },
        { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
      ),
    ),
    date: optional(
      fc.oneof(
        fc.constantFrom('now', 'past', '', 'yesterday', 'Thu, 01 Jan 1970 00:00:00 GMT'),
        fc.date({ noInvalidDate: true }).map((d) => d.toUTCString()),
      ),
    ),
    extra: fc.array(fc.tuple(fc.constantFrom('x-trace-id', 'set-cookie', 'content-length', 'x-frame-options', 'vary'), fc.string({ maxLength: 20 })), { maxLength: 2 }),
  });
}

/** Objects keyed by the field names the adapters read, nested a little, with any values. */
const fieldsValue: fc.Arbitrary<unknown> = fc.letrec<{ node: unknown }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    nastyValue,
    fc
      .uniqueArray(fc.tuple(fc.oneof(fc.constantFrom(...ERROR_FIELDS), fc.constantFrom(...FIELD_NAMES)), tie('node')), { maxLength: 5, selector: ([key]) => key })
      .map(ownObject),
    fc.array(tie('node'), { maxLength: 3 }),
  ),
})).node;

/** Fragments that make the HTML readers and the text clean-up work hard when repeated. */
const REPEATABLE = [
  '<!--', '<script', '<input ', '<input "', '<a ', '<code>', '<code class="word-break-all">', '<', '&#', '&amp;', ' .', '. ',
  '{"a":', '[', '<div class="ui pointing red label">', '<label for=x>', '<small class="text-muted">', '\\', '"', ' ', 'a',
  '<a href="/account/settings/applications/tokens/1/">', '<p>', '<br', '</li>',
];

/** Where a repeated fragment is put: alone, or where the adapters read free text (a detail, a message, a page). */
const WRAPS = ['', 'detail', 'message', 'error', 'cds-from', 'frappe-messages', 'html'] as const;
export type Wrap = (typeof WRAPS)[number];

export type BodyPlan =
  | { kind: 'text'; text: string }
  | { kind: 'json'; text: string }
  | { kind: 'anything'; value: unknown }
  | { kind: 'bytes'; bytes: number[]; latin1: boolean }
  | { kind: 'fields'; value: unknown }
  | { kind: 'corpus'; pick: number; mutations: Mutation[] }
  | { kind: 'repeat'; fragment: string; times: number; wrap: Wrap };

const bodyPlan: fc.Arbitrary<BodyPlan> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('text' as const), text: fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 100 })) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('json' as const), text: fc.json({ maxDepth: 4 }) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('anything' as const),
      value: fc.anything({ maxDepth: 3, withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withSparseArray: true, withNullPrototype: true, withObjectString: true }),
    }),
  },
  /** JSON in the sites' own words: their field names, with values that may be anything. */
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('fields' as const), value: fieldsValue }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('bytes' as const), bytes: fc.array(fc.nat({ max: 255 }), { maxLength: 200 }), latin1: fc.boolean() }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('corpus' as const), pick: fc.nat(), mutations: fc.array(mutation, { maxLength: 4 }) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('repeat' as const),
      fragment: fc.oneof(fc.constantFrom(...REPEATABLE), fc.string({ minLength: 1, maxLength: 8 })),
      times: fc.integer({ min: 1, max: 3000 }),
      wrap: fc.constantFrom(...WRAPS),
    }),
  },
);

/** What the fake client does with one request. */
export type Plan =
  /** The site's recorded answer to this request (the `pick`th of them), maybe with another status and mutated. */
  | { kind: 'replay'; pick: number; status?: number; headers: HeaderPlan; mutations: Mutation[] }
  /** Any answer at all. */
  | { kind: 'random'; status: number; headers: HeaderPlan; body: BodyPlan }
  /** A refusal in JSON, its error fields (detail, message, reason, …) holding anything. */
  | { kind: 'refusal'; status: number; contentType: string; fields: [string, unknown][] }
  /** The page client's own failures (a lost connection, a time limit, the tab gone elsewhere). */
  | { kind: 'fail'; code: 'network' | 'timeout' | 'navigated' };

const asRecorded: HeaderPlan = { keep: true, extra: [] };

export const plan: fc.Arbitrary<Plan> = fc.oneof(
  /** The recorded answer as it was: lets a call get past its first requests to the ones after. */
  { weight: 6, arbitrary: fc.nat().map((pick): Plan => ({ kind: 'replay', pick, headers: asRecorded, mutations: [] })) },
  {
    weight: 7,
    arbitrary: fc.record(
      {
        kind: fc.constant('replay' as const),
        pick: fc.nat(),
        status: optional(status, 4),
        headers: headerPlan(8),
        mutations: fc.oneof({ weight: 2, arbitrary: fc.constant<Mutation[]>([]) }, { weight: 3, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 4 }) }),
      },
    ),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('random' as const), status, headers: headerPlan(0), body: bodyPlan }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('refusal' as const),
      status: fc.oneof({ weight: 6, arbitrary: fc.constantFrom(400, 401, 403, 404, 409, 417, 429) }, { weight: 3, arbitrary: fc.constantFrom(500, 502, 503) }, { weight: 1, arbitrary: status }),
      contentType: fc.constantFrom('application/json', 'application/problem+json', 'application/json; charset=utf-8'),
      fields: fc.uniqueArray(
        fc.tuple(
          fc.constantFrom(...ERROR_FIELDS),
          fc.oneof({ weight: 2, arbitrary: nastyObject }, { weight: 2, arbitrary: fc.string({ maxLength: 30 }) }, { weight: 1, arbitrary: fc.constantFrom(...DOMAIN_WORDS) }, { weight: 3, arbitrary: nastyValue }),
        ),
        { minLength: 1, maxLength: 4, selector: ([key]) => key },
      ),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('fail' as const), code: fc.constantFrom('network' as const, 'timeout' as const, 'navigated' as const) }) },
);

/** The answers to the first requests of a call; later requests get the site's recorded answers as they were. */
export const script: fc.Arbitrary<Plan[]> = fc.array(plan, { minLength: 1, maxLength: 10 });

function serialised(value: unknown): string {
  const marker = 'bigint-marker:';
  try {
    const text = JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? `${marker}${item}` : item));
    if (text === undefined) return String(value);
    return text.replace(new RegExp(`"${marker}(-?\\d+)"`, 'g'), '$1');
  } catch {
    return '';
  }
}

export function wrapped(text: string, wrap: Wrap): string {
  switch (wrap) {
    case '':
      return text;
    case 'detail':
    case 'message':
    case 'error':
      return JSON.stringify({ [wrap]: text, status: 500 });
    case 'cds-from':
      return JSON.stringify({ id: 1, message: 'x', from: text, request_id: 'r' });
    case 'frappe-messages':
      return JSON.stringify({ exc_type: 'ValidationError', _server_messages: JSON.stringify([JSON.stringify({ message: text })]) });
    case 'html':
      return `<!doctype html><html><body>${text}</body></html>`;
  }
}

export function bodyOf(plan: BodyPlan, corpus: readonly Recorded[]): string {
  switch (plan.kind) {
    case 'text':
    case 'json':
      return plan.text;
    case 'anything':
    case 'fields':
      return serialised(plan.value);
    case 'bytes': {
      const bytes = Uint8Array.from(plan.bytes);
      return plan.latin1 ? Buffer.from(bytes).toString('latin1') : new TextDecoder().decode(bytes);
    }
    case 'corpus': {
      const recorded = corpus[plan.pick % Math.max(1, corpus.length)];
      return mutate(recorded?.response.body ?? '', plan.mutations);
    }
    case 'repeat':
      return wrapped(plan.fragment.repeat(plan.times), plan.wrap);
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// The fake client.

export interface ScriptedClient extends PageClient {
  /** What was asked, in order. */
  readonly requests: PageRequest[];
  /** Every text the site side produced (bodies and header values): what an error sentence may quote. */
  readonly served: string[];
  /** Set when a call made more requests than any adapter should. */
  readonly runaway: boolean;
}

/** A call that makes more requests than this is looping (GoodData's list stops after 1000 pages at most). */
const MAX_REQUESTS = 1500;

/** The recorded answer that fits a request best: same method and path; else same path; else most path in common. */
export function recordedFor(request: PageRequest, answers: readonly Recorded[], pick: number): Recorded | undefined {
  const path = pathnameOf(request.path);
  const choose = (found: Recorded[]) => (found.length > 0 ? found[pick % found.length] : undefined);
  const segments = (p: string) => p.split('/').filter(Boolean);
  const common = (a: string, b: string) => {
    const [x, y] = [segments(a).reverse(), segments(b).reverse()];
    let n = 0;
    while (n < x.length && n < y.length && x[n] === y[n]) n++;
    return n;
  };
  const same = answers.filter((a) => a.path === path);
  const exact = choose(same.filter((a) => a.method === request.method)) ?? choose(same);
  if (exact) return exact;
  const sameMethod = answers.filter((a) => a.method === request.method);
  const best = Math.max(0, ...sameMethod.map((a) => common(a.path, path)));
  return choose(sameMethod.filter((a) => best > 0 && common(a.path, path) === best)) ?? choose(sameMethod) ?? choose([...answers]);
}

function headersOf(plan: HeaderPlan, recorded: PageResponse | undefined): Record<string, string> {
  const headers: Record<string, string> = plan.keep && recorded ? { ...recorded.headers } : {};
  if (plan.contentType === null) delete headers['content-type'];
  else if (plan.contentType !== undefined) headers['content-type'] = plan.contentType;
  if (plan.retryAfter !== undefined) headers['retry-after'] = plan.retryAfter;
  if (plan.location !== undefined) headers.location = plan.location;
  if (plan.date !== undefined) {
    headers.date = plan.date === 'now' ? new Date().toUTCString() : plan.date === 'past' ? new Date(Date.now() - 3_600_000).toUTCString() : plan.date;
  }
  for (const [name, value] of plan.extra) headers[name] = value;
  return headers;
}

const failures = {
  network: () => siteError('network', 'site.example could not be reached.', 'Check your connection and that the site loads, then try again.'),
  timeout: () => siteError('timeout', 'site.example did not answer within 15 seconds.', 'Check that the site works in the tab, then try again.'),
  navigated: () => siteError('navigated', 'The tab is no longer on site.example.', 'Go back to site.example and try again.'),
};

/**
 * A PageClient that answers the nth request from `plans[n]`, and every later one with the site's recorded answer as
 * it was. `corpus` is the site's own answers (for replays); `everyBody` every recorded answer of every site (for random
 * bodies taken from them).
 */
export function scriptedClient(origin: string, corpus: readonly Recorded[], everyBody: readonly Recorded[], plans: readonly Plan[]): ScriptedClient {
  const requests: PageRequest[] = [];
  const served: string[] = [];
  let runaway = false;
  const answer = (request: PageRequest, plan: Plan | undefined): PageResponse => {
    if (plan?.kind === 'fail') throw failures[plan.code]();
    if (plan?.kind === 'refusal') {
      return { status: plan.status, headers: { 'content-type': plan.contentType }, body: JSON.stringify(ownObject(plan.fields)) };
    }
    if (plan?.kind === 'random') {
      return { status: plan.status, headers: headersOf(plan.headers, undefined), body: bodyOf(plan.body, everyBody) };
    }
    const recorded = recordedFor(request, corpus, plan?.pick ?? 0)?.response ?? { status: 404, headers: {}, body: '' };
    if (!plan) return { status: recorded.status, headers: { ...recorded.headers }, body: recorded.body };
    return {
      status: plan.status ?? recorded.status,
      headers: headersOf(plan.headers, recorded),
      body: mutate(recorded.body, plan.mutations),
    };
  };
  return {
    origin,
    requests,
    served,
    get runaway() {
      return runaway;
    },
    async request(request) {
      await Promise.resolve();
      requests.push(request);
      if (requests.length > MAX_REQUESTS) {
        runaway = true;
        throw siteError('network', 'The fake site stopped answering: too many requests.', 'This is a test limit.');
      }
      const response = answer(request, plans[requests.length - 1]);
      served.push(response.body, ...Object.values(response.headers));
      return response;
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// Judging outcomes.

export type Outcome<T> =
  | { kind: 'resolved'; value: T; ms: number }
  | { kind: 'rejected'; error: unknown; ms: number }
  | { kind: 'hung'; ms: number };

/**
 * Runs `call` with a time limit. A promise that never settles is caught by the timer; a call that blocks the thread
 * (a regular expression gone quadratic, say) cannot be interrupted, so its time is measured and judged afterwards.
 */
export async function within<T>(limitMs: number, call: () => Promise<T>): Promise<Outcome<T>> {
  const started = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<'hung'>((resolve) => {
    timer = setTimeout(() => resolve('hung'), limitMs);
  });
  try {
    const settled = await Promise.race([
      Promise.resolve()
        .then(call)
        .then(
          (value) => ({ kind: 'resolved' as const, value }),
          (error: unknown) => ({ kind: 'rejected' as const, error }),
        ),
      hung,
    ]);
    const ms = performance.now() - started;
    return settled === 'hung' ? { kind: 'hung', ms } : { ...settled, ms };
  } finally {
    clearTimeout(timer);
  }
}

const ERROR_CODES: readonly ErrorCode[] = [
  'signed-out', 'forbidden', 'not-found', 'conflict', 'invalid', 'origin-rejected', 'csrf-refused', 'unexpected-response',
  'server', 'rate-limited', 'network', 'timeout', 'navigated', 'no-access', 'locked', 'orphaned', 'interrupted', 'internal',
];

/**
 * Text that betrays an exception or a value printed raw rather than a sentence written for people. Each counts only
 * when nothing the site sent (or the test passed in) holds it too: a site's own words may be quoted.
 */
const RAW_TEXT: readonly RegExp[] = [
  /\n\s*at\s/,
  /\bat \S+ \(/,
  /\(?\S+\.(?:ts|js|mjs|cjs):\d+:\d+\)?/,
  /\b(?:Type|Reference|Syntax|Range|URI|Eval|Aggregate|Internal)?Error:/,
  /\[object \w+\]/,
  /\bundefined\b/,
  /\bNaN\b/,
  /\bInfinity\b/,
  /Cannot (?:read|set|convert)/,
  /is not (?:a function|defined|iterable)/,
  /Unexpected (?:token|end of JSON)/,
  /Maximum call stack/,
  /Invalid (?:time value|Date)/,
  /URI malformed/,
];

/** Problems with an error meant for the user; empty when it is one plain sentence and a next step. */
export function userErrorProblems(user: unknown, origin: string, quoted: readonly string[]): string[] {
  if (!isObject(user)) return [`the user error is ${typeof user}`];
  const problems: string[] = [];
  if (!ERROR_CODES.includes(user.code as ErrorCode)) problems.push(`unknown code ${String(user.code)}`);
  for (const field of ['sentence', 'next'] as const) {
    const text = user[field];
    if (typeof text !== 'string' || text.trim() === '') {
      problems.push(`${field} is empty or not text`);
      continue;
    }
    if (text.length > 600) problems.push(`${field} is ${text.length} characters long`);
    for (const pattern of RAW_TEXT) {
      if (pattern.test(text) && !quoted.some((q) => pattern.test(q))) problems.push(`${field} looks raw (${pattern}): ${text}`);
    }
  }
  if (user.link !== undefined) {
    const link = user.link;
    if (!isObject(link) || typeof link.label !== 'string' || !link.label || typeof link.url !== 'string') problems.push('the link is malformed');
    else if (!link.url.startsWith(`${origin}/`)) problems.push(`the link leaves the site: ${link.url}`);
  }
  return problems;
}

/** Throws unless the rejection is a SiteError with a proper sentence. */
export function expectSiteError(error: unknown, origin: string, quoted: readonly string[]): SiteError {
  if (!(error instanceof SiteError)) {
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new Error(`threw something other than a SiteError: ${text}`);
  }
  const problems = userErrorProblems(error.user, origin, quoted);
  if (problems.length > 0) throw new Error(`SiteError '${error.user.code}' is not fit to show: ${problems.join('; ')}`);
  return error;
}

// Shapes of what the adapters resolve with.

type Check = (value: unknown) => string[];

const nonEmpty = (value: unknown): value is string => typeof value === 'string' && value !== '';
const isDate = (value: unknown) => typeof value === 'string' && !Number.isNaN(Date.parse(value));

function userProblems(user: unknown, origin: string, quoted: readonly string[]): string[] {
  if (!isObject(user)) return ['user is not an object'];
  const problems: string[] = [];
  if (!nonEmpty(user.id)) problems.push('user.id is not a non-empty string');
  if (!nonEmpty(user.name)) problems.push('user.name is not a non-empty string');
  if (user.org !== undefined && typeof user.org !== 'string') problems.push('user.org is not a string');
  if (user.cannotMint !== undefined) problems.push(...userErrorProblems(user.cannotMint, origin, quoted).map((p) => `cannotMint: ${p}`));
  return problems;
}

export function probeProblems(origin: string, quoted: readonly string[]): Check {
  return (value) => {
    if (!isObject(value)) return ['the probe is not an object'];
    const probe = value as unknown as Probe;
    switch (probe.kind) {
      case 'signed-in':
        return userProblems(probe.user, origin, quoted);
      case 'signed-out':
        return probe.reason === undefined ? [] : userErrorProblems(probe.reason, origin, quoted).map((p) => `reason: ${p}`);
      case 'not-this-site':
        return [];
      default:
        return [`unknown probe kind ${String((probe as { kind: unknown }).kind)}`];
    }
  };
}

function choiceProblems(choices: unknown, label: string): string[] {
  if (!Array.isArray(choices)) return [`${label}.choices is not a list`];
  const problems: string[] = [];
  const ids = new Set<string>();
  for (const choice of choices) {
    if (!isObject(choice) || !nonEmpty(choice.id) || !nonEmpty(choice.label)) problems.push(`${label}: a choice without id or label`);
    else if (choice.description !== undefined && typeof choice.description !== 'string') problems.push(`${label}: description is not text`);
    else if (ids.has(choice.id)) problems.push(`${label}: the choice ${choice.id} shows twice`);
    else ids.add(choice.id);
  }
  return problems;
}

export const formProblems: Check = (value) => {
  if (!isObject(value)) return ['the form is not an object'];
  const form = value as FormSpec;
  const problems: string[] = [];
  if (form.description !== undefined && !(Number.isInteger(form.description.maxLength) && form.description.maxLength > 0)) {
    problems.push('description.maxLength is not a positive integer');
  }
  if (form.scopes !== undefined) {
    problems.push(...choiceProblems(form.scopes.choices, 'scopes'));
    const ids = Array.isArray(form.scopes.choices) ? form.scopes.choices.map((c) => c.id) : [];
    if (!Array.isArray(form.scopes.defaults) || form.scopes.defaults.some((d) => !ids.includes(d))) problems.push('a default scope is not offered');
    if (typeof form.scopes.atLeastOne !== 'boolean') problems.push('scopes.atLeastOne is not a boolean');
  }
  if (form.groups !== undefined) problems.push(...choiceProblems(form.groups.choices, 'groups'));
  if (form.expiresInDays !== undefined) {
    const { min, max, default: preset } = form.expiresInDays;
    if (![min, max, preset].every(Number.isInteger) || !(min <= preset && preset <= max)) problems.push('expiresInDays is not a range');
  }
  if (form.replaces !== undefined && !nonEmpty(form.replaces.sentence)) problems.push('replaces.sentence is empty');
  return problems;
};

export const mintedProblems: Check = (value) => {
  if (!isObject(value)) return ['the minted token is not an object'];
  const problems: string[] = [];
  if (!nonEmpty(value.id)) problems.push('id is not a non-empty string');
  if (typeof value.name !== 'string') problems.push('name is not a string');
  if (!nonEmpty(value.secret)) problems.push('secret is not a non-empty string');
  return problems;
};

export const listProblems: Check = (value) => {
  if (!Array.isArray(value)) return ['the list is not an array'];
  const problems: string[] = [];
  for (const item of value as unknown[]) {
    if (!isObject(item)) {
      problems.push('a listed token is not an object');
      continue;
    }
    const token = item as unknown as SiteToken;
    if (!nonEmpty(token.id)) problems.push('a listed token has no id');
    if (typeof token.name !== 'string') problems.push(`token ${token.id}: name is not text`);
    for (const field of ['createdAt', 'expiresAt', 'lastUsedAt'] as const) {
      if (token[field] !== undefined && !isDate(token[field])) problems.push(`token ${token.id}: ${field} is not a date`);
    }
    // A scope is shown as the site names it, even as "" (CDS `scope_details: [{"scope": ""}]`).
    if (token.scopes !== undefined && !(Array.isArray(token.scopes) && token.scopes.every((scope) => typeof scope === 'string'))) {
      problems.push(`token ${token.id}: scopes are not a list of text`);
    }
  }
  return problems;
};

export const voidProblems: Check = (value) => (value === undefined ? [] : [`resolved with ${typeof value}, not nothing`]);

export const verifyProblems: Check = (value) => (value === null || nonEmpty(value) ? [] : [`resolved with ${typeof value}, not a user id or null`]);

export const secretProblems: Check = (value) => (nonEmpty(value) ? [] : ['the new secret is not a non-empty string']);

/** How often each call ended each way (`gooddata.mint rejected conflict` → n): what the runs reached. */
export const outcomes = new Map<string, number>();

/**
 * A bug these properties found and that is not fixed yet. Each has its own `it.fails` test; the properties tolerate
 * exactly this failure (counting it) so that they go on hunting for other ones.
 */
export interface KnownBug {
  id: string;
  /** Which calls it shows in (`frappe.probe`, …). */
  calls: RegExp;
  /** Whether a failure is this bug: what the call threw (if it threw) and the property's complaint. */
  matches(failure: { thrown?: unknown; complaint: string }): boolean;
}

let tolerated: readonly KnownBug[] = [];

/** The known bugs `judge` lets pass (counted in `outcomes` as `KNOWN <id>`). */
export function tolerate(bugs: readonly KnownBug[]): void {
  tolerated = bugs;
}

/**
 * The property every adapter call must keep, whatever the site answered: within the time limit it resolves with a
 * value of its declared shape, or rejects with a SiteError fit to show. Throws (failing the property) otherwise.
 */
export async function judge<T>(
  label: string,
  limitMs: number,
  client: ScriptedClient,
  quotedByTest: readonly string[],
  check: Check,
  call: () => Promise<T>,
): Promise<Outcome<T>> {
  const outcome = await within(limitMs, call);
  const complaint = complaintAbout(label, limitMs, client, quotedByTest, check, outcome);
  const count = (tally: string) => outcomes.set(`${label} ${tally}`, (outcomes.get(`${label} ${tally}`) ?? 0) + 1);
  if (complaint === undefined) {
    count(outcome.kind === 'rejected' ? `rejected ${(outcome.error as SiteError).user.code}` : outcome.kind);
    return outcome;
  }
  const thrown = outcome.kind === 'rejected' ? outcome.error : undefined;
  const known = tolerated.find((bug) => bug.calls.test(label) && bug.matches({ thrown, complaint }));
  if (known) {
    count(`KNOWN ${known.id}`);
    return outcome;
  }
  throw new Error(complaint, thrown === undefined ? undefined : { cause: thrown });
}

function complaintAbout<T>(
  label: string,
  limitMs: number,
  client: ScriptedClient,
  quotedByTest: readonly string[],
  check: Check,
  outcome: Outcome<T>,
): string | undefined {
  if (outcome.kind === 'hung') return `${label} did not settle within ${limitMs} ms (${client.requests.length} requests)`;
  if (outcome.ms > limitMs) return `${label} blocked for ${Math.round(outcome.ms)} ms (limit ${limitMs} ms)`;
  if (client.runaway) return `${label} made more than ${MAX_REQUESTS} requests`;
  if (outcome.kind === 'rejected') {
    try {
      expectSiteError(outcome.error, client.origin, [...client.served, ...quotedByTest]);
      return undefined;
    } catch (error) {
      return `${label}: ${(error as Error).message}`;
    }
  }
  const problems = check(outcome.value);
  return problems.length > 0 ? `${label} resolved with a value of the wrong shape: ${problems.join('; ')}` : undefined;
}

/** Everything a test passes in that an error sentence may quote back (names, ids, the user's own fields). */
export function quotable(...values: unknown[]): string[] {
  return values.flatMap((value) => (typeof value === 'string' ? [value] : isObject(value) || Array.isArray(value) ? [JSON.stringify(value) ?? ''] : []));
}
