// Responses are parsed defensively (issue 6): every adapter method is driven through a fake PageClient whose answers
// fast-check generates (recorded answers replayed, mutated or replaced by random ones; statuses, headers, bodies and
// the page client's own failures). Whatever the site says, a call either resolves with a value of its declared shape
// or rejects with a SiteError whose sentence and next step are fit to show, and it settles within LIMIT_MS.
//
// Deterministic: the seed is fixed; FC_SEED=<n> (and FC_PATH=<path> from a failure report) replays another run,
// FC_RUNS=<factor> multiplies every property's number of runs (e.g. FC_RUNS=20 for a long hunt), FC_STRICT=1 (or a list
// of ids) stops tolerating the known bugs (KNOWN_BUGS), and FC_STATS=1 prints how the calls ended.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PageClient } from '../../src/core/page-client.ts';
import { regenerate } from '../../src/sites/cds.ts';
import { siteById } from '../../src/sites/index.ts';
import type { MintInput, Site, SiteId, SiteUser } from '../../src/sites/types.ts';
import { decodeEntities, nameErrors, readSecret, readTokenForm, readTokenList } from '../../src/sites/zenodo.ts';
import {
  CAPTURE_NAME,
  bodyOf,
  captureEmulatedSites,
  expectSiteError,
  formProblems,
  goodDataCassette,
  judge,
  listProblems,
  mintedProblems,
  mutate,
  mutation,
  outcomes,
  plan,
  probeProblems,
  quotable,
  realisticInput,
  script,
  scriptedClient,
  secretProblems,
  verifyProblems,
  voidProblems,
  tolerate,
  within,
  wrapped,
  type BodyPlan,
  type Capture,
  type KnownBug,
  type Plan,
  type Recorded,
  type ScriptedClient,
} from './arbitrary-answers.ts';

const SEED = Number(process.env.FC_SEED ?? 20_240_601);
const RUN_FACTOR = Number(process.env.FC_RUNS ?? 1);
/** Runs of each adapter-method property. */
const RUNS = Math.round(600 * RUN_FACTOR);
/** Runs of each Zenodo HTML-reader property (synchronous and cheap). */
const READER_RUNS = Math.round(1000 * RUN_FACTOR);
/** How long one adapter call may take, whatever it is answered. */
const LIMIT_MS = 2_000;
const TEST_TIMEOUT_MS = 60_000 * Math.max(1, RUN_FACTOR);

function params<T>(numRuns: number): fc.Parameters<T> {
  return { seed: SEED, numRuns, ...(process.env.FC_PATH ? { path: process.env.FC_PATH } : {}) };
}

// ---------------------------------------------------------------------------------------------------------------------
// Bugs these properties find and that are not fixed yet are listed here (with an it.fails test near the end):
// tolerated by the properties, so that they keep hunting for others. Remove an entry once its bug is fixed.

// None open: the bugs these properties found are fixed, and their tests below stand as regression tests.
const KNOWN_BUGS: readonly KnownBug[] = [];
/** FC_STRICT=1 tolerates none of them, FC_STRICT=<id>,<id> not those: to see their failures, e.g. while fixing one. */
const STRICT = (process.env.FC_STRICT ?? '').split(',').filter(Boolean);
const TOLERATED = KNOWN_BUGS.filter((bug) => STRICT.length === 0 || !(STRICT.includes('1') || STRICT.includes(bug.id)));
tolerate(TOLERATED);

const SITE_IDS: readonly SiteId[] = ['gooddata', 'cds', 'frappe', 'zenodo', 'insightio'];

let captures: Map<SiteId, Capture>;
/** Per site: its recorded answers (GoodData's include the cassette in shared/fixtures). */
const corpus = new Map<SiteId, Recorded[]>();
/** Every recorded answer of every site: random bodies are also drawn from these. */
let everyAnswer: Recorded[] = [];

beforeAll(async () => {
  captures = await captureEmulatedSites();
  for (const [id, capture] of captures) corpus.set(id, [...capture.answers]);
  corpus.get('gooddata')!.push(...(await goodDataCassette()));
  everyAnswer = [...corpus.values()].flat();
}, 30_000);

// FC_STATS=1 prints how the calls ended, to see which branches the runs reach.
afterAll(() => {
  if (!process.env.FC_STATS) return;
  const lines = [...outcomes].sort(([a], [b]) => a.localeCompare(b)).map(([tally, n]) => `${String(n).padStart(6)}  ${tally}`);
  console.log(lines.join('\n'));
});

function captureOf(id: SiteId): Capture {
  const capture = captures.get(id);
  if (!capture) throw new Error(`nothing was captured from the emulated ${id} site`);
  return capture;
}

describe('the answers the properties start from', () => {
  it('were captured from every emulated site, with its adapter running through it, and from the GoodData cassette', () => {
    for (const id of SITE_IDS) {
      const capture = captureOf(id);
      expect(capture.answers.length, id).toBeGreaterThanOrEqual(8);
      expect(capture.minted.secret, id).toMatch(/./);
      // A step may be refused by the site (GoodData: a second token of the same name), but none may crash.
      for (const problem of capture.problems) expect(problem, id).not.toMatch(/: \w*Error: /);
    }
    expect(corpus.get('gooddata')!.filter((answer) => answer.response.headers.date === 'PLACEHOLDER')).toHaveLength(6);
  });
});

// ---------------------------------------------------------------------------------------------------------------------
// Inputs: mostly the real ones the capture produced, sometimes anything.

function users(capture: Capture): fc.Arbitrary<SiteUser> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant(capture.user) },
    { weight: 1, arbitrary: fc.record({ id: fc.string({ minLength: 1, maxLength: 24 }), name: fc.string({ minLength: 1, maxLength: 24 }) }) },
  );
}

function tokenIds(capture: Capture): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(capture.minted.id, ...capture.listedIds) },
    { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 24 }) },
  );
}

function secrets(capture: Capture): fc.Arbitrary<string> {
  return fc.oneof({ weight: 4, arbitrary: fc.constant(capture.minted.secret) }, { weight: 1, arbitrary: fc.string({ maxLength: 80 }) });
}

function inputs(capture: Capture): fc.Arbitrary<MintInput> {
  const realistic = realisticInput(capture.siteId, CAPTURE_NAME);
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant(realistic) },
    {
      weight: 1,
      arbitrary: fc.record({
        name: fc.oneof(fc.constant(CAPTURE_NAME), fc.string({ minLength: 1, maxLength: 60 })),
        description: fc.string({ maxLength: 300 }),
        scopes: fc.oneof(fc.constant(realistic.scopes), fc.array(fc.oneof(fc.constantFrom('Project', 'Admin', 'deposit:write', 'user:email'), fc.string({ maxLength: 12 })), { maxLength: 4 })),
        groups: fc.array(fc.oneof(fc.nat({ max: 99 }).map(String), fc.string({ maxLength: 8 })), { maxLength: 3 }),
        expiresInDays: fc.constantFrom(null, 1, 15, 365, 0, -1, 366, 1.5, Number.NaN),
        replace: fc.boolean(),
      }),
    },
  );
}

// ---------------------------------------------------------------------------------------------------------------------
// One property per adapter method.

type Property = fc.IAsyncProperty<[Plan[], unknown[]]>;

interface Method {
  name: string;
  property(capture: Capture): Property;
}

function clientFor(capture: Capture, plans: Plan[]): ScriptedClient {
  return scriptedClient(capture.origin, corpus.get(capture.siteId)!, everyAnswer, plans);
}

/** A property over a script of answers and the method's inputs; each call is judged by `judge`. */
function methodProperty(
  label: string,
  capture: Capture,
  check: (client: ScriptedClient) => (value: unknown) => string[],
  args: fc.Arbitrary<unknown>[],
  call: (client: ScriptedClient, values: unknown[]) => Promise<unknown>,
): Property {
  return fc.asyncProperty(script, fc.tuple(...args), async (plans, values) => {
    const client = clientFor(capture, plans);
    await judge(label, LIMIT_MS, client, quotable(...values), check(client), () => call(client, values));
  });
}

const probeCheck = (client: ScriptedClient) => probeProblems(client.origin, [...client.served]);
const fixed = (check: (value: unknown) => string[]) => () => check;

function methodsOf(site: Site): Method[] {
  const at = (name: string) => `${site.id}.${name}`;
  const methods: Method[] = [
    { name: 'probe', property: (c) => methodProperty(at('probe'), c, probeCheck, [], (client) => site.probe(client)) },
    {
      name: 'mint',
      property: (c) =>
        methodProperty(at('mint'), c, fixed(mintedProblems), [users(c), inputs(c)], (client, [user, input]) =>
          site.mint(client, user as SiteUser, input as MintInput),
        ),
    },
    {
      name: 'list',
      property: (c) => methodProperty(at('list'), c, fixed(listProblems), [users(c)], (client, [user]) => site.list(client, user as SiteUser)),
    },
    {
      name: 'revoke',
      property: (c) =>
        methodProperty(at('revoke'), c, fixed(voidProblems), [users(c), tokenIds(c)], (client, [user, id]) =>
          site.revoke(client, user as SiteUser, id as string),
        ),
    },
    {
      name: 'verify',
      property: (c) => methodProperty(at('verify'), c, fixed(verifyProblems), [secrets(c)], (client, [secret]) => site.verify(client, secret as string)),
    },
  ];
  const { form, regenerate: regen } = site;
  if (form) {
    methods.splice(1, 0, {
      name: 'form',
      property: (c) => methodProperty(at('form'), c, fixed(formProblems), [users(c)], (client, [user]) => form.call(site, client, user as SiteUser)),
    });
  }
  if (regen) {
    methods.push({
      name: 'regenerate',
      property: (c) =>
        methodProperty(at('regenerate'), c, fixed(mintedProblems), [users(c), tokenIds(c)], (client, [user, id]) =>
          regen.call(site, client, user as SiteUser, id as string),
        ),
    });
  }
  return methods;
}

function methodOf(id: SiteId, name: string): Method {
  const method = methodsOf(siteById(id)!).find((m) => m.name === name);
  if (!method) throw new Error(`${id} has no method ${name}`);
  return method;
}

/**
 * A session as the popup runs it: the probe's user (read from the generated answers, whatever they say) is the user
 * of every later call, so what one answer says flows into the next requests.
 */
function flowProperty(capture: Capture, site: Site): fc.IAsyncProperty<[Plan[], MintInput]> {
  return fc.asyncProperty(fc.array(plan, { minLength: 1, maxLength: 30 }), inputs(capture), async (plans, input) => {
    const client = clientFor(capture, plans);
    const quoted = quotable(input);
    const probed = await judge(`${site.id}.probe`, LIMIT_MS, client, quoted, probeCheck(client), () => site.probe(client));
    const user = probed.kind === 'resolved' && probed.value.kind === 'signed-in' ? probed.value.user : capture.user;
    quoted.push(...quotable(user));
    if (site.form) await judge(`${site.id}.form`, LIMIT_MS, client, quoted, formProblems, () => site.form!(client, user));
    const listed = await judge(`${site.id}.list`, LIMIT_MS, client, quoted, listProblems, () => site.list(client, user));
    const minted = await judge(`${site.id}.mint`, LIMIT_MS, client, quoted, mintedProblems, () => site.mint(client, user, input));
    const tokenId =
      minted.kind === 'resolved' ? minted.value.id : ((listed.kind === 'resolved' ? listed.value[0]?.id : undefined) ?? capture.minted.id);
    const secret = minted.kind === 'resolved' ? minted.value.secret : capture.minted.secret;
    quoted.push(tokenId);
    await judge(`${site.id}.verify`, LIMIT_MS, client, quoted, verifyProblems, () => site.verify(client, secret));
    await judge(`${site.id}.revoke`, LIMIT_MS, client, quoted, voidProblems, () => site.revoke(client, user, tokenId));
  });
}

for (const id of SITE_IDS) {
  const site = siteById(id)!;
  describe(`${site.name} adapter: any answer ends in a value of the declared shape or a SiteError, within ${LIMIT_MS} ms`, () => {
    for (const method of methodsOf(site)) {
      it(method.name, async () => {
        await fc.assert(method.property(captureOf(id)), params(RUNS));
      }, TEST_TIMEOUT_MS);
    }
    it('a whole session (probe → form → list → mint → verify → revoke), the probed user flowing into every call', async () => {
      await fc.assert(flowProperty(captureOf(id), site), params(RUNS));
    }, TEST_TIMEOUT_MS);
  });
}

describe('CDS regenerate (exported, with its options)', () => {
  it('any answer ends in the new secret or a SiteError', async () => {
    const capture = captureOf('cds');
    const property = fc.asyncProperty(
      script,
      users(capture),
      tokenIds(capture),
      fc.oneof({ weight: 4, arbitrary: fc.constantFrom(15, 1, 365) }, { weight: 1, arbitrary: fc.constantFrom(0, -5, 366, 2.5, Number.NaN, Infinity) }),
      fc.record({
        overlap: fc.option(fc.constantFrom('0s', '1h', '', 'forever'), { nil: undefined }),
        revokeSessions: fc.option(fc.boolean(), { nil: undefined }),
        apiBase: fc.option(fc.constantFrom('/cdsapi', '/ui/cdsapi', '/api'), { nil: undefined }),
      }),
      async (plans, user, id, days, options) => {
        const client = clientFor(capture, plans);
        await judge('cds regenerate()', LIMIT_MS, client, quotable(user, id), secretProblems, () => regenerate(client, user, id, days, options));
      },
    );
    await fc.assert(property, params(RUNS));
  }, TEST_TIMEOUT_MS);
});

// ---------------------------------------------------------------------------------------------------------------------
// Zenodo's HTML readers, called directly: they never throw at all, and read only what is there.

const HTML_PIECES = [
  '<!doctype html>', '<html>', '<form method="POST">', '</form>', '<input type="hidden" name="csrf_token" value="IjQ2YjM.x">',
  "<input name='csrf_token' value='a&amp;b'>", '<input name=csrf_token value=>', '<input id="name" name="name" value="">',
  '<input type="checkbox" name="scopes" value="deposit:write" id="scopes-0">', '<input name="scopes" value="deposit:write">',
  '<label for="scopes-0">deposit:write <small>Allow upload.</small></label>', '<button type="submit" name="delete">Delete</button>',
  `<code class="word-break-all">${'Ab3'.repeat(20)}</code>`, `<code>${'x9'.repeat(30)}</code>`, '<code>', '</code>',
  '<div class="ui pointing red basic label"><p>Name is required.</p></div>', '<div class="ui pointing red label">', '</div>',
  '<p>', '</p>', '<ul>', '<li>', '</li>', '<br>', '<a href="/account/settings/applications/tokens/new/">New token</a>',
  '<a href="/account/settings/applications/tokens/12/">tok &amp; more</a>', '<small class="text-muted">deposit:write, user:email</small>',
  '<a href="http://elsewhere.example/account/settings/applications/tokens/13/">x</a>', '<a href="//x">', '<a href=":::">',
  '<!-- <input name="csrf_token" value="hidden"> -->', '<script>var x = "<code>";</script>', '<style>', '</script>', '<!--',
  '&#x1F600;', '&#1114112;', '&#0;', '&#xD800;', '&lt;', '&amp;amp;', '&nbsp;', '&bogus;', '"', "'", '>', '<', '=',
];

function zenodoPages(): Recorded[] {
  return captureOf('zenodo').answers.filter((answer) => /html/i.test(answer.response.headers['content-type'] ?? ''));
}

function htmlBodies(): fc.Arbitrary<string> {
  const pages = zenodoPages();
  const repeat: fc.Arbitrary<BodyPlan> = fc.record({
    kind: fc.constant('repeat' as const),
    fragment: fc.constantFrom('<!--', '<script', '<input ', '<input "', '<a ', '<code>', '<', '&#', '<label for=x>', '<div class="ui pointing red label">'),
    times: fc.integer({ min: 1, max: 2000 }),
    wrap: fc.constantFrom('' as const, 'html' as const),
  });
  return fc.oneof(
    { weight: 4, arbitrary: fc.tuple(fc.nat(), fc.array(mutation, { maxLength: 5 })).map(([pick, mutations]) => mutate(pages[pick % pages.length]!.response.body, mutations)) },
    { weight: 3, arbitrary: fc.array(fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...HTML_PIECES) }, { weight: 1, arbitrary: fc.string({ maxLength: 10 }) }), { maxLength: 50 }).map((parts) => parts.join('')) },
    { weight: 1, arbitrary: fc.string({ maxLength: 300 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
    { weight: 1, arbitrary: repeat.map((plan) => bodyOf(plan, [])) },
  );
}

/** Runs a synchronous reader under the time limit; throws (failing the property) on a throw or a slow read. */
async function read<T>(label: string, run: () => T): Promise<T> {
  const outcome = await within(LIMIT_MS, async () => run());
  if (outcome.kind === 'hung' || outcome.ms > LIMIT_MS) throw new Error(`${label} took ${Math.round(outcome.ms)} ms`);
  if (outcome.kind === 'rejected') throw new Error(`${label} threw: ${String(outcome.error)}`, { cause: outcome.error });
  return outcome.value;
}

const SECRET = /^[A-Za-z0-9]{60}$/;

describe('Zenodo HTML readers never throw, and return what their types say', () => {
  it('decodeEntities: text without an entity comes back unchanged', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(htmlBodies(), fc.string({ unit: 'binary', maxLength: 100 })), async (html) => {
        const text = await read('decodeEntities', () => decodeEntities(html));
        expect(typeof text).toBe('string');
        if (!html.includes('&')) expect(text).toBe(html);
      }),
      params(READER_RUNS),
    );
  }, TEST_TIMEOUT_MS);

  it('readTokenForm: null, or a csrf_token with scopes named once each', async () => {
    await fc.assert(
      fc.asyncProperty(htmlBodies(), async (html) => {
        const form = await read('readTokenForm', () => readTokenForm(html));
        if (form === null) return;
        expect(form.csrf).toMatch(/./);
        expect(typeof form.hasDelete).toBe('boolean');
        const ids = form.scopes.map((scope) => scope.id);
        expect(new Set(ids).size).toBe(ids.length);
        for (const scope of form.scopes) {
          expect(scope.id).toMatch(/./);
          expect(scope.label).toBe(scope.id);
          if (scope.description !== undefined) expect(scope.description).toMatch(/\S/);
        }
      }),
      params(READER_RUNS),
    );
  }, TEST_TIMEOUT_MS);

  it('nameErrors: a list of non-empty, trimmed messages', async () => {
    await fc.assert(
      fc.asyncProperty(htmlBodies(), async (html) => {
        const errors = await read('nameErrors', () => nameErrors(html));
        for (const error of errors) expect(error).toMatch(/^\S(?:[\s\S]*\S)?$/);
      }),
      params(READER_RUNS),
    );
  }, TEST_TIMEOUT_MS);

  it('readSecret: null, or 60 letters and digits', async () => {
    await fc.assert(
      fc.asyncProperty(htmlBodies(), async (html) => {
        const secret = await read('readSecret', () => readSecret(html));
        if (secret !== null) expect(secret).toMatch(SECRET);
      }),
      params(READER_RUNS),
    );
  }, TEST_TIMEOUT_MS);

  it('readTokenList: null, or tokens with numeric ids, each listed once', async () => {
    await fc.assert(
      fc.asyncProperty(htmlBodies(), fc.constantFrom('ORIGIN', 'http://other.example', 'https://zenodo.org'), async (html, which) => {
        const origin = which === 'ORIGIN' ? captureOf('zenodo').origin : which;
        const tokens = await read('readTokenList', () => readTokenList(html, origin));
        if (tokens === null) return;
        const ids = tokens.map((token) => token.id);
        expect(new Set(ids).size).toBe(ids.length);
        for (const token of tokens) {
          expect(token.id).toMatch(/^\d+$/);
          expect(typeof token.name).toBe('string');
          for (const scope of token.scopes ?? []) expect(scope).toMatch(/\S/);
        }
      }),
      params(READER_RUNS),
    );
  }, TEST_TIMEOUT_MS);
});

// ---------------------------------------------------------------------------------------------------------------------
// The bugs found, one test each, now fixed: while a bug is open its test is `it.fails` and it is in KNOWN_BUGS. Each runs the property the bug was
// found by, without tolerating it, starting from the minimal counterexample fast-check found (as a self-contained
// answer, so that it does not depend on what the emulated sites answer today).

/** A generated answer: status, JSON content type and this body. */
function answer(status: number, body: string, contentType = 'application/json'): Plan {
  return { kind: 'random', status, headers: { keep: false, contentType, extra: [] }, body: { kind: 'text', text: body } };
}

/** Runs `property` with only `bug` no longer tolerated, its counterexample first and no shrinking. */
async function showBug<T>(bug: string, property: fc.IAsyncProperty<T>, example: T): Promise<void> {
  tolerate(TOLERATED.filter((known) => known.id !== bug));
  try {
    await fc.assert(property, { ...params<T>(RUNS), examples: [example], endOnFailure: true });
  } finally {
    tolerate(TOLERATED);
  }
}

const DEFAULT_INPUT = realisticInput('gooddata', CAPTURE_NAME);

describe('bugs found and fixed (regression tests)', () => {
  // frappe.ts probe → userPath(): encodeURIComponent of the who-am-I's `message` throws URIError ("URI malformed") when
  // the user name holds a lone surrogate, which JSON can carry ("\ud800"). Any string from an answer that goes into a
  // path needs the same care (e.g. `String.prototype.toWellFormed`, or refusing such an id when reading it).
  // fast-check shrank it to a 200 answer {"message":"\udfff","detail":""} (FC_STRICT=lone-surrogate-id FC_RUNS=60).
  it('fixed: lone-surrogate-id: frappe.probe throws URIError for who-am-I {"message":"\\ud800"}', async () => {
    await showBug('lone-surrogate-id', methodOf('frappe', 'probe').property(captureOf('frappe')), [[answer(200, '{"message":"\\ud800"}')], []]);
  });

  // gooddata.ts: profileUser() accepts any userId (and list any token id); tokensPath() then throws URIError in
  // list/mint/revoke. Same pattern as above, shown here by its counterexample (the runs so far did not reach it).
  it('fixed: lone-surrogate-id: GoodData session whose profile says {"userId":"\\ud800", …} throws URIError in list', async () => {
    const profile = '{"userId":"\\ud800","organizationId":"default","permissions":["MANAGE"]}';
    await showBug('lone-surrogate-id', flowProperty(captureOf('gooddata'), siteById('gooddata')!), [[answer(200, profile)], DEFAULT_INPUT]);
  });

  // cds.ts: meAnswer() accepts any username (and consumers() any consumer id); consumersPath()/groupChoices() then
  // throw URIError (form, list, mint, revoke). fast-check found it as a session: the list held a consumer whose id a
  // mutation had made "\ud800", and revoking that listed token threw.
  it('fixed: lone-surrogate-id: CDS session whose /auth/me says {"user":{"username":"\\ud800",…}} throws URIError in list', async () => {
    const me = '{"user":{"username":"\\ud800","ring":"USER"},"consumer":{"type":"builtin"}}';
    await showBug('lone-surrogate-id', flowProperty(captureOf('cds'), siteById('cds')!), [[answer(200, me)], realisticInput('cds', CAPTURE_NAME)]);
  });

  // gooddata.ts expiredTenant(): String(body.reason) / String(body.detail) throws TypeError ("Cannot convert object to
  // primitive value") for a JSON object whose `toString` is not a function; it runs on every 403, so probe, mint, list,
  // revoke and verify all throw it. Fix: read the fields only when they are strings. fast-check found exactly this
  // answer (a whole-session run, FC_RUNS=10).
  it('fixed: string-of-json-object: gooddata.probe throws TypeError for 403 {"detail":{"toString":[]}}', async () => {
    await showBug('string-of-json-object', methodOf('gooddata', 'probe').property(captureOf('gooddata')), [[answer(403, '{"detail":{"toString":[]}}')], []]);
  });

  // cds.ts expiryOf(): Date.parse(String(period.issued_at)) throws the same TypeError for such an issued_at. fast-check
  // found it by replacing a node of the recorded consumer list with {"toString":[]} (FC_STRICT=string-of-json-object).
  it('fixed: string-of-json-object: cds.list throws TypeError for a validity period whose issued_at is {"toString":0}', async () => {
    const list = '[{"id":"c1","type":"builtin","name":"t","validity_periods":[{"issued_at":{"toString":0},"duration":1}]}]';
    await showBug('string-of-json-object', methodOf('cds', 'list').property(captureOf('cds')), [[answer(200, list)], [captureOf('cds').user]]);
  });

  // cds.ts expiryOf(): new Date(issued_at + duration / 1e6).toISOString() throws RangeError ("Invalid time value") when
  // the sum passes JavaScript's last date (8.64e15 ms): a duration of 1e22 ns, or an issued_at near +275760. fast-check
  // found both: one digit of the recorded duration copied 7 times (FC_SEED=1), and the recorded issued_at replaced by
  // "+275760-09-13T00:00:00.000Z". Fix: check the date before toISOString().
  it('fixed: cds-expiry-out-of-range: cds.list throws RangeError for a validity period of 1e22 ns', async () => {
    const list = '[{"id":"c1","type":"builtin","name":"t","validity_periods":[{"issued_at":"2026-01-01T00:00:00Z","duration":1e22}]}]';
    await showBug('cds-expiry-out-of-range', methodOf('cds', 'list').property(captureOf('cds')), [[answer(200, list)], [captureOf('cds').user]]);
  });

  // gooddata.ts list: `typeof item.id === 'string'` lets an empty id through; the token then has no id to show or to
  // revoke with (revoke('') would DELETE …/apiTokens/, the collection). fast-check found it by growing the recorded
  // page and replacing an id with "".
  it('fixed: gooddata-empty-token-id: gooddata.list lists a token with an empty id for {"data":[{"id":""}]}', async () => {
    await showBug('gooddata-empty-token-id', methodOf('gooddata', 'list').property(captureOf('gooddata')), [[answer(200, '{"data":[{"id":""}]}')], [captureOf('gooddata').user]]);
  });
});

// ---------------------------------------------------------------------------------------------------------------------
// Time that grows faster than the answer: a synchronous parse cannot be interrupted, so a quadratic one on a large
// answer blocks the service worker (measured on this machine: 37 s for readSecret on 240 KB of "<code>", 7 s for an
// 80 KB error detail of " ." runs). The budget is generous for a linear parse: 2 s per MB, at least 125 ms.

const budgetMs = (chars: number) => Math.max(125, (LIMIT_MS * chars) / 1_000_000);

async function withinBudget(label: string, chars: number, run: () => Promise<unknown>): Promise<void> {
  const outcome = await within(LIMIT_MS * 10, run);
  if (outcome.kind === 'rejected') expectSiteError(outcome.error, 'https://site.example', []);
  const budget = budgetMs(chars);
  if (outcome.ms > budget) throw new Error(`${label} took ${Math.round(outcome.ms)} ms for ${chars} characters (budget ${Math.round(budget)} ms)`);
}

/** Answers every request with the same response. */
function answering(status: number, body: string, contentType = 'application/json'): PageClient {
  return { origin: 'https://site.example', request: async () => ({ status, headers: { 'content-type': contentType }, body }) };
}

const ZENODO_READERS = { readTokenForm, nameErrors, readSecret, readTokenList: (html: string) => readTokenList(html, 'https://site.example') };
const UNCLOSED = ['<code>', '<code class="word-break-all">', '<input ', '<input "', '<!--', '<script', '<a ', '<div class="ui pointing red label">', '<label for=x>'];

describe('time grows with the size of an answer, not with its square', () => {
  // zenodo.ts: visibleMarkup() (`<!--[\s\S]*?-->`, `<script…</script>`), startTags() (`<input…>`) and elements()
  // (each start tag slices the rest of the page and searches it for its end tag) scan to the end of the page once per
  // unclosed tag: quadratic. fast-check shrank it to readTokenForm('<input '.repeat(3498)) (24 KB, just over the
  // 125 ms budget); the example below, readSecret('<code>'.repeat(6500)) (39 KB), takes ~0.7–1 s here, and 240 KB of
  // "<code>" 37 s. Fixed: each search is bounded (an element ends at the next start tag of its kind, a start tag at the
  // next `<`, close tags are paired by position), so this is now a regression test.
  it('zenodo HTML readers on pages of unclosed tags', async () => {
    const property = fc.asyncProperty(
      fc.constantFrom(...(Object.keys(ZENODO_READERS) as (keyof typeof ZENODO_READERS)[])),
      fc.constantFrom(...UNCLOSED),
      fc.integer({ min: 100, max: 6000 }),
      async (reader, fragment, times) => {
        const html = fragment.repeat(times);
        await withinBudget(`${reader}(${JSON.stringify(fragment)} × ${times})`, html.length, async () => ZENODO_READERS[reader](html));
      },
    );
    await fc.assert(property, { ...params(50), examples: [['readSecret', '<code>', 6500]], endOnFailure: true });
  });

  // core/errors.ts siteDetail(): `/[.\s]+$/` backtracks over every run of dots and spaces that does not end the text:
  // quadratic. Every adapter passes the site's free text through it (commonFailure → errorDetail, CDS `from`, Frappe
  // messages, Zenodo name errors) before cutting it to 160 characters. fast-check shrank it to gooddata.verify answered
  // 500 {"detail": " .".repeat(5658) + "x"} (11 KB, just over the budget); with 13,000 (26 KB) it takes ~0.6 s here,
  // with 40,000 (80 KB) 7 s. Fix: cut the text (to a few hundred characters) before the clean-up.
  it('fixed: error details made of dots and spaces, in every adapter', async () => {
    const property = fc.asyncProperty(
      fc.constantFrom(...SITE_IDS),
      fc.constantFrom(' .', '.', '. ', '.\t'),
      fc.integer({ min: 100, max: 12_000 }),
      fc.constantFrom('detail' as const, 'message' as const),
      async (id, fragment, times, field) => {
        const body = wrapped(`${fragment.repeat(times)}x`, field);
        await withinBudget(`${id}.verify(500 ${field} ${JSON.stringify(fragment)} × ${times})`, body.length, () => siteById(id)!.verify(answering(500, body), 'secret'));
      },
    );
    await fc.assert(property, { ...params(50), examples: [['gooddata', ' .', 13_000, 'detail']], endOnFailure: true });
  });

  // frappe.ts plain(): `/<[^>]*>/g` scans to the end of the message from every "<" that has no ">" after it:
  // quadratic. fast-check shrank it to frappe.verify answered 417 {"exc_type":"ValidationError","_server_messages":
  // "[\"{\\\"message\\\":\\\"<<<…\\\"}\"]"} with 14,700 "<" (just over the budget); 36,000 take ~0.75 s here.
  // (zenodo.ts textOf() uses the same pattern on element text.)
  it('fixed: Frappe server messages full of "<"', async () => {
    const property = fc.asyncProperty(fc.constantFrom('<', '<a', '< '), fc.integer({ min: 100, max: 30_000 }), async (fragment, times) => {
      const body = wrapped(fragment.repeat(times), 'frappe-messages');
      await withinBudget(`frappe.verify(417 message ${JSON.stringify(fragment)} × ${times})`, body.length, () => siteById('frappe')!.verify(answering(417, body), 'k:s'));
    });
    await fc.assert(property, { ...params(50), examples: [['<', 36_000]], endOnFailure: true });
  });
});
