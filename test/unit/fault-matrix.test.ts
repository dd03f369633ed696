// Issue 6's fault matrix at unit level: every site × every fault that applies, run through the real adapter's `mint`
// (and `list`) against the emulated site, with the user signed in. The matrix below is the table: each cell is the
// error code the user must get ('ok' for a success), n/a with a reason, or a known adapter bug (an `it.fails` cell
// that asserts the right outcome). Every cell also proves the rules of the issue (see `rules`). The observed table is
// written to artifacts/fault-matrix.md for the closing note.
import { mkdir, writeFile } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { SiteError, type ErrorCode, type UserError } from '../../src/core/errors.ts';
import type { PageClient } from '../../src/core/page-client.ts';
import type { PageRequest } from '../../src/core/page-request.ts';
// The matrix covers the built-in adapters; recipes have their own tests.
import type { BuiltInSiteId as SiteId } from '../../src/sites/types.ts';
import type { Site as Harness } from '../sites/harness.ts';
import {
  FAULTS,
  HANG_TIMEOUT_MS,
  PHASES,
  RETRY_AFTER_SECONDS,
  SITE_CASES,
  matches,
  stage,
  timed,
  type FaultId,
  type Phase,
  type SiteCase,
  type Staging,
} from './fault-cases.ts';
import { faultyClient } from './faulty-client.ts';
import { nodePageClient, type NodePageClient } from './node-page-client.ts';

// ---------------------------------------------------------------------------------------------------------------------
// The matrix.

type Outcome = ErrorCode | 'ok';
interface NotApplicable {
  na: string;
}
interface KnownBug {
  expect: Outcome;
  bug: string;
}
type Cell = Outcome | NotApplicable | KnownBug;
type Row = Record<SiteId, Cell>;

const SITES: readonly SiteId[] = ['gooddata', 'cds', 'frappe', 'zenodo', 'insightio'];
const na = (reason: string): NotApplicable => ({ na: reason });
const all = (cell: Cell): Row => ({ gooddata: cell, cds: cell, frappe: cell, zenodo: cell, insightio: cell });

const NO_CSRF_GOODDATA = na('GoodData has no CSRF or XSRF check (contracts/gooddata.md: "CSRF: None").');
const NO_FORM = na('mint reads no form or CSRF page before the create.');

const MINT: Partial<Record<FaultId, Row>> = {
  'session-401': all('signed-out'),
  'session-redirect': all('signed-out'),
  // A sign-in page where data was expected cannot be told from a proxy's page: 'unexpected-response', whose sentence
  // says "a sign-in page or a proxy may be in the way" (checked below).
  'session-html': all('unexpected-response'),
  'session-gone': all('signed-out'),
  csrf: { gooddata: NO_CSRF_GOODDATA, cds: 'csrf-refused', frappe: 'csrf-refused', zenodo: 'csrf-refused', insightio: 'csrf-refused' },
  // CDS, Frappe and Zenodo retry once with a fresh token (documented); Insight.io sends Play's bypass header, so a
  // refusal is not a stale token and is not retried.
  'csrf-once': { gooddata: NO_CSRF_GOODDATA, cds: 'ok', frappe: 'ok', zenodo: 'ok', insightio: 'csrf-refused' },
  forbidden: {
    ...all('forbidden'),
    cds: na('CDS has no permission 403 on an own-token create: its only 403 there is id 11, the XSRF refusal (CSRF rows); a session without the AccessToken scope gets 401 id 10, which the probe reports as cannotMint.'),
  },
  // GoodData hides a missing permission behind 404 (contracts/gooddata.md), so a JSON 404 on the create is 'forbidden'.
  'not-found': { ...all('not-found'), gooddata: 'forbidden' },
  conflict: {
    gooddata: 'conflict',
    cds: na('CDS token names are not unique (contracts/cds.md): the create never answers 409.'),
    // Not a name: saving the User record can clash (contract §8, 409 DuplicateEntryError).
    frappe: 'conflict',
    zenodo: na('Zenodo token names need not be unique (contracts/zenodo.md): the create never answers 409.'),
    insightio: na('Insight.io tokens have no name.'),
  },
  invalid: { ...all('invalid'), insightio: na('The Insight.io create takes no input, so the site has nothing to validate.') },
  'rate-limited': all('rate-limited'),
  'server-500': all('server'),
  'server-502': all('server'),
  'server-503': all('server'),
  // Zenodo's body faults hit the token page the create redirects to: the token exists then, its secret is lost.
  malformed: { ...all('unexpected-response'), zenodo: 'orphaned' },
  'no-token-field': { ...all('unexpected-response'), zenodo: 'orphaned' },
  empty: { ...all('unexpected-response'), zenodo: 'orphaned' },
  hang: all('timeout'),
  reset: all('network'),
  large: all('ok'),
  // The site made the token; its answer was then lost or mangled. Zenodo recovers the secret from the token page,
  // which still shows it once (nothing followed the redirect yet); the others report the token as orphaned.
  'lost-timeout': { ...all('orphaned'), zenodo: 'ok' },
  'lost-reset': { ...all('orphaned'), zenodo: 'ok' },
  'lost-502': { ...all('orphaned'), zenodo: 'ok' },
  'lost-cut': { ...all('orphaned'), zenodo: na("Zenodo's create answer is a bodiless redirect; a cut token page is the malformed-HTML row.") },
  'lost-no-token': { ...all('orphaned'), zenodo: 'ok' },
  'lost-empty': { ...all('orphaned'), zenodo: 'ok' },
};

/** The form phase: CDS's list read (it also issues the XSRF cookie), Frappe's desk page, Zenodo's new-token form. */
const FORM_ROW = (cell: Cell): Row => ({ gooddata: NO_FORM, cds: cell, frappe: cell, zenodo: cell, insightio: NO_FORM });

const FORM: Partial<Record<FaultId, Row>> = {
  'session-401': FORM_ROW('signed-out'),
  'session-redirect': FORM_ROW('signed-out'),
  'session-html': FORM_ROW('unexpected-response'),
  'session-gone': FORM_ROW('signed-out'),
  forbidden: FORM_ROW('forbidden'),
  'not-found': FORM_ROW('not-found'),
  'rate-limited': FORM_ROW('rate-limited'),
  'server-500': FORM_ROW('server'),
  'server-502': FORM_ROW('server'),
  'server-503': FORM_ROW('server'),
  malformed: FORM_ROW('unexpected-response'),
  'no-token-field': FORM_ROW('unexpected-response'),
  empty: FORM_ROW('unexpected-response'),
  hang: FORM_ROW('timeout'),
  reset: FORM_ROW('network'),
  large: FORM_ROW('ok'),
};

const LIST: Partial<Record<FaultId, Row>> = {
  'session-401': all('signed-out'),
  'session-redirect': all('signed-out'),
  'session-html': all('unexpected-response'),
  'session-gone': all('signed-out'),
  forbidden: all('forbidden'),
  'not-found': all('not-found'),
  'rate-limited': all('rate-limited'),
  'server-500': all('server'),
  'server-502': all('server'),
  'server-503': all('server'),
  malformed: all('unexpected-response'),
  'no-token-field': all('unexpected-response'),
  empty: all('unexpected-response'),
  hang: all('timeout'),
  reset: all('network'),
  large: all('ok'),
};

const MATRIX: Record<Phase, Partial<Record<FaultId, Row>>> = { mint: MINT, form: FORM, list: LIST };

// ---------------------------------------------------------------------------------------------------------------------
// Running one cell.

/** Every cell but the hang ones must be over within this; a hang cell within its timeout plus this slack. */
const BOUND_MS = 5_000;
const HANG_SLACK_MS = 2_000;

interface Observed {
  outcome: Outcome | 'not a SiteError';
  user?: UserError;
  thrown?: string;
  ms: number;
  creates: number;
  newTokens: number;
  /** mint: the secret is the one the site holds; list: as many tokens as the site has. */
  faithful: boolean;
  leaks: string[];
  staging: Staging;
  origin: string;
}

/** Tracks the requests of a cell: injects its faults at the right moment and notes every secret an answer carried. */
function stagedClient(base: NodePageClient, site: Harness, staging: Staging, seen: Set<string>, c: SiteCase): PageClient {
  let triggered = staging.from === undefined;
  const fire = () => {
    if (staging.dropSession) base.cookie = '';
    for (const fault of staging.faults) site.inject(fault);
  };
  if (triggered) fire();
  const recorder: PageClient = {
    origin: base.origin,
    async request(request) {
      const response = await base.request(request);
      for (const secret of c.secretsIn(response.body)) seen.add(secret);
      return response;
    },
  };
  let client = timed(recorder, staging.timeoutMs);
  if (staging.client) {
    const { targets, fault } = staging.client;
    client = faultyClient(client, (request: PageRequest) => matches(targets, request), fault);
  }
  const inner = client;
  return {
    origin: base.origin,
    request(request) {
      if (!triggered && matches(staging.from ?? [], request)) {
        triggered = true;
        fire();
      }
      return inner.request(request);
    },
  };
}

async function runCell(c: SiteCase, phase: Phase, fault: FaultId): Promise<Observed> {
  const site = await c.start();
  try {
    c.seed(site);
    const cookie = await c.signIn(site);
    const base = nodePageClient(site.origin, cookie);
    const probe = await c.adapter.probe(base);
    if (probe.kind !== 'signed-in') throw new Error(`${c.id}: expected a signed-in probe, got ${probe.kind}`);
    const staging = await stage(c, phase, fault, { site, cookie });
    staging.arrange?.();

    const seen = new Set<string>([...c.secrets(site), ...cookieValues(cookie, c.secretCookies), ...cookieValues(base.cookie, c.secretCookies)]);
    const tokensBefore = c.tokens(site);
    const logged = site.requests().length;
    const client = stagedClient(base, site, staging, seen, c);

    const started = performance.now();
    let outcome: Observed['outcome'] = 'ok';
    let user: UserError | undefined;
    let thrown: string | undefined;
    let faithful = true;
    try {
      if (phase === 'list') {
        const tokens = await c.adapter.list(client, probe.user);
        faithful = tokens.length === (c.id === 'frappe' ? 1 : c.tokens(site));
      } else {
        const minted = await c.adapter.mint(client, probe.user, c.input);
        faithful = c.holds(site, minted.secret);
      }
    } catch (error) {
      if (error instanceof SiteError) {
        outcome = error.user.code;
        user = error.user;
      } else {
        outcome = 'not a SiteError';
        thrown = String(error);
      }
    }
    const ms = performance.now() - started;

    for (const secret of c.secrets(site)) seen.add(secret);
    const creates = site.requests().slice(logged).filter((request) => matches(c.create, request)).length;
    const leaks = user ? leaksIn(user, seen) : [];
    return { origin: site.origin, outcome, ms, creates, newTokens: c.tokens(site) - tokensBefore, faithful, leaks, staging, ...(user && { user }), ...(thrown && { thrown }) };
  } finally {
    await site.close();
  }
}

/** The values of the session's secret cookies in a Cookie header. */
function cookieValues(header: string, names: readonly string[]): string[] {
  return header.split(/;\s*/).flatMap((pair) => {
    const at = pair.indexOf('=');
    const value = pair.slice(at + 1);
    return at > 0 && names.includes(pair.slice(0, at)) && value ? [value, decodeURIComponent(value)] : [];
  });
}

/** The known secrets that show anywhere in what the user reads. */
function leaksIn(user: UserError, secrets: Iterable<string>): string[] {
  const shown = [user.sentence, user.next, user.link?.label ?? '', user.link?.url ?? ''].join('\n');
  return [...secrets].filter((secret) => secret.length >= 8 && shown.includes(secret));
}

// ---------------------------------------------------------------------------------------------------------------------
// The rules every cell proves.

/**
 * Text that belongs to a stack trace or a raw exception, not to a sentence. " at " only as a stack frame has it
 * (`at fn (file:1:2)`, `at /path`): "a token at this address" is plain English.
 */
const RAW = /Error:|\bat [\w$.<>]+ \(|\bat \/|:\d+:\d+\)?$|undefined|\[object|\bNaN\b|<\/?[a-z!]|Traceback/m;
/** A next step names something to do. */
const ACTION = /\b(sign in|try again|reload|ask|pick|change|check|wait|revoke|delete|copy|generate|fix|tick|open|go back)\b/i;

/** How many sentences: the site's quoted words ("GoodData says: …", “…”) are one clause of the sentence they are in. */
function sentenceCount(text: string, product: string): number {
  const plain = text
    .replace(/“[^”]*”/g, '“…”')
    .replace(new RegExp(`\\(?${product.replace('.', '\\.')} says: .*$`), '');
  return plain.split(/[.!?]\s+(?=[A-Z])/).filter((part) => part.trim()).length;
}

function rules(c: SiteCase, phase: Phase, fault: FaultId, observed: Observed, host: string): string[] {
  const problems: string[] = [];
  const { user } = observed;
  if (observed.outcome === 'not a SiteError') problems.push(`threw something else than a SiteError: ${observed.thrown}`);
  if (user) {
    const { sentence, next } = user;
    const where = `“${sentence}” / “${next}”`;
    if (!/^[A-Z0-9“]/.test(sentence) || !/[.!?]$/.test(sentence) || sentence.includes('\n')) problems.push(`sentence is not one plain line: ${where}`);
    if (sentence.length > 320) problems.push(`sentence is ${sentence.length} characters long`);
    if (sentenceCount(sentence, c.product) !== 1) problems.push(`sentence is not one sentence: ${where}`);
    if (!sentence.includes(c.product) && !sentence.includes(host)) problems.push(`sentence names neither ${c.product} nor ${host}: ${where}`);
    if (!next || !/[.!?]$/.test(next) || next.includes('\n') || sentenceCount(next, c.product) !== 1) problems.push(`next is not one sentence: ${where}`);
    if (!ACTION.test(next)) problems.push(`next says nothing to do: ${where}`);
    if (RAW.test(sentence) || RAW.test(next)) problems.push(`raw or stack-trace-like text: ${where}`);
    if (observed.leaks.length > 0) problems.push(`shows a secret: ${where}`);
    if (fault === 'rate-limited' && observed.outcome === 'rate-limited' && !next.includes(String(RETRY_AFTER_SECONDS))) {
      problems.push(`the next step ignores Retry-After: ${RETRY_AFTER_SECONDS}: ${where}`);
    }
    if (fault === 'session-html' && !/sign/i.test(`${sentence} ${next}`)) problems.push(`a sign-in page is not mentioned: ${where}`);
  }
  const bound = observed.staging.timeoutMs === undefined ? BOUND_MS : observed.staging.timeoutMs + HANG_SLACK_MS;
  if (observed.ms > bound) problems.push(`took ${Math.round(observed.ms)} ms (bound ${bound} ms)`);
  if (observed.newTokens > 1) problems.push(`${observed.newTokens} new tokens on the site`);
  if (observed.newTokens < 0 && phase !== 'list') problems.push(`${-observed.newTokens} tokens disappeared`);
  if (observed.newTokens === 1 && observed.outcome !== 'ok' && observed.outcome !== 'orphaned') {
    problems.push(`the site made a token, but the user was told '${observed.outcome}'`);
  }
  if (phase !== 'list' && observed.outcome === 'ok' && observed.newTokens !== 1) problems.push('a success without a new token on the site');
  if (observed.outcome === 'orphaned' && observed.newTokens !== 1) problems.push('reported orphaned, but the site made no token');
  if (observed.outcome === 'ok' && !observed.faithful) {
    problems.push(phase === 'list' ? 'the list does not match the site' : 'the secret returned is not the one the site holds');
  }
  if (observed.creates > observed.staging.creates) {
    problems.push(`sent the create ${observed.creates} times (at most ${observed.staging.creates})`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------------------------
// The cells.

const observedCells = new Map<string, Observed>();
const key = (phase: Phase, fault: FaultId, site: SiteId) => `${phase}|${fault}|${site}`;

const isNa = (cell: Cell): cell is NotApplicable => typeof cell === 'object' && 'na' in cell;
const isBug = (cell: Cell): cell is KnownBug => typeof cell === 'object' && 'bug' in cell;
const expected = (cell: Exclude<Cell, NotApplicable>): Outcome => (isBug(cell) ? cell.expect : cell);

describe('fault matrix', () => {
  it('has a cell for every site in every row, and a descriptor for every site', () => {
    expect(SITE_CASES.map((c) => c.id)).toEqual(SITES);
    for (const rows of Object.values(MATRIX)) for (const row of Object.values(rows)) expect(Object.keys(row).sort()).toEqual([...SITES].sort());
  });

  it('the rules catch what they must: a leak, raw text, two sentences, a duplicate, a repeated create, slowness, a false success', () => {
    const gd = SITE_CASES[0]!;
    const user: UserError = { code: 'server', sentence: 'GoodData had a server error (500).', next: 'Try again in a moment.' };
    const fine: Observed = { origin: 'http://127.0.0.1:1', outcome: 'server', user, ms: 10, creates: 1, newTokens: 0, faithful: true, leaks: [], staging: { faults: [], creates: 1 } };
    const check = (change: Partial<Observed>, fault: FaultId = 'server-500') => rules(gd, 'mint', fault, { ...fine, ...change }, '127.0.0.1:1');
    const said = (sentence: string, next = user.next) => check({ user: { ...user, sentence, next } });
    expect(check({})).toEqual([]);
    expect(said('GoodData had a server error (500). GoodData says: Row 1. Try later.')).toEqual([]); // the site's words are one clause
    expect(leaksIn({ ...user, next: 'Use c2VjcmV0LXRva2Vu now.' }, ['c2VjcmV0LXRva2Vu', 'short'])).toEqual(['c2VjcmV0LXRva2Vu']);
    expect(check({ leaks: ['c2VjcmV0LXRva2Vu'] })).toEqual([expect.stringMatching(/^shows a secret/)]);
    for (const raw of ['Error: GoodData failed.', 'GoodData failed at Object.mint (gooddata.ts:1:2).', 'GoodData said undefined.', 'GoodData said [object Object].', 'GoodData said <html>.']) {
      expect(said(raw), raw).toContainEqual(expect.stringMatching(/^raw or stack-trace-like text/));
    }
    expect(said('GoodData failed. It will work later.')).toContainEqual(expect.stringMatching(/^sentence is not one sentence/));
    expect(said('Something failed.')).toContainEqual(expect.stringMatching(/^sentence names neither/));
    expect(said(user.sentence, 'Sorry.')).toContainEqual(expect.stringMatching(/^next says nothing to do/));
    expect(check({ outcome: 'rate-limited', user: { ...user, code: 'rate-limited', next: 'Wait a minute and try again.' } }, 'rate-limited')).toEqual([
      expect.stringMatching(/ignores Retry-After/),
    ]);
    expect(check({ newTokens: 2 })).toContainEqual('2 new tokens on the site');
    expect(check({ newTokens: 1 })).toEqual([expect.stringMatching(/made a token, but the user was told 'server'/)]);
    expect(check({ creates: 2 })).toEqual(['sent the create 2 times (at most 1)']);
    expect(check({ ms: BOUND_MS + 1 })).toEqual([expect.stringMatching(/^took/)]);
    const { user: _, ...success } = fine;
    expect(rules(gd, 'mint', 'large', { ...success, outcome: 'ok' }, '127.0.0.1:1')).toEqual(['a success without a new token on the site']);
    expect(rules(gd, 'mint', 'large', { ...success, outcome: 'ok', newTokens: 1, faithful: false }, '127.0.0.1:1')).toEqual([
      'the secret returned is not the one the site holds',
    ]);
    expect(check({ outcome: 'orphaned', user: { ...user, code: 'orphaned' } })).toEqual(['reported orphaned, but the site made no token']);
    expect(rules(gd, 'mint', 'server-500', { ...success, outcome: 'not a SiteError', thrown: 'TypeError: x' }, '127.0.0.1:1')).toEqual([
      'threw something else than a SiteError: TypeError: x',
    ]);
  });

  for (const phase of PHASES) {
    describe(phase.title, () => {
      for (const { id: fault, title } of FAULTS) {
        const row = MATRIX[phase.id][fault];
        if (!row) continue;
        for (const c of SITE_CASES) {
          const cell = row[c.id];
          if (isNa(cell)) continue;
          const want = expected(cell);
          const name = `${title} · ${c.id} → ${want === 'ok' ? '✓' : want}`;
          const body = async () => {
            const observed = await runCell(c, phase.id, fault);
            observedCells.set(key(phase.id, fault, c.id), observed);
            const problems = rules(c, phase.id, fault, observed, new URL(observed.origin).host);
            expect({ outcome: observed.outcome, problems }, observed.user ? `“${observed.user.sentence}” / “${observed.user.next}”` : '').toEqual({
              outcome: want,
              problems: [],
            });
          };
          // A known adapter bug: the cell asserts the right outcome, so it fails until the adapter is fixed.
          if (isBug(cell)) it.fails(`${name} — BUG: ${cell.bug}`, body, 15_000);
          else it(name, body, 15_000);
        }
      }
    });
  }

  afterAll(async () => {
    await mkdir(new URL('../../artifacts/', import.meta.url), { recursive: true });
    await writeFile(new URL('../../artifacts/fault-matrix.md', import.meta.url), markdown());
    await writeFile(new URL('../../artifacts/fault-matrix-sentences.md', import.meta.url), sentences());
  });
});

// ---------------------------------------------------------------------------------------------------------------------
// The observed table.

const PRODUCTS: Record<SiteId, string> = { gooddata: 'GoodData', cds: 'CDS', frappe: 'Frappe', zenodo: 'Zenodo', insightio: 'Insight.io' };

function markdown(): string {
  const notes: string[] = [];
  const note = (text: string) => {
    const at = notes.indexOf(text);
    if (at >= 0) return at + 1;
    notes.push(text);
    return notes.length;
  };
  const out: string[] = [
    '# Fault matrix (unit level)',
    '',
    'Each cell: the error code the user got, ✓ for a success, `orphaned` for a token the site made whose secret never arrived.',
    'Generated by `test/unit/fault-matrix.test.ts` against the emulated sites, through the real adapters.',
    '',
  ];
  let slowest = 0;
  for (const phase of PHASES) {
    out.push(`## ${phase.title}`, '', `${phase.about}.`, '', `| Fault | ${SITES.map((s) => PRODUCTS[s]).join(' | ')} |`, `|---|${SITES.map(() => '---').join('|')}|`);
    for (const { id: fault, title } of FAULTS) {
      const row = MATRIX[phase.id][fault];
      if (!row) continue;
      const cells = SITES.map((site) => {
        const cell = row[site];
        if (isNa(cell)) return `n/a`;
        const observed = observedCells.get(key(phase.id, fault, site));
        if (!observed) return '–';
        slowest = Math.max(slowest, observed.ms);
        const shownOutcome = observed.outcome === 'ok' ? '✓' : observed.outcome;
        if (isBug(cell)) return `${shownOutcome} ✗<sup>${note(`BUG — ${cell.bug}`)}</sup>`;
        return observed.outcome === expected(cell) ? shownOutcome : `${shownOutcome} (expected ${expected(cell)})`;
      });
      out.push(`| ${title} | ${cells.join(' | ')} |`);
    }
    out.push('');
  }
  const reasons = new Map<string, string[]>();
  for (const phase of PHASES) {
    for (const [fault, row] of Object.entries(MATRIX[phase.id])) {
      for (const site of SITES) {
        const cell = row[site];
        if (!isNa(cell)) continue;
        const title = FAULTS.find((f) => f.id === fault)?.title ?? fault;
        const list = reasons.get(cell.na) ?? [];
        list.push(`${phase.id} · ${title} · ${PRODUCTS[site]}`);
        reasons.set(cell.na, list);
      }
    }
  }
  if (notes.length > 0) out.push('## Known adapter bugs (cells marked ✗, `it.fails`)', '', ...notes.map((text, i) => `${i + 1}. ${text}`), '');
  out.push('## n/a', '');
  for (const [reason, where] of reasons) out.push(`- ${reason} (${where.length} cell${where.length === 1 ? '' : 's'}${where.length <= 3 ? `: ${where.join('; ')}` : ''})`);
  out.push('', `Slowest cell: ${Math.round(slowest)} ms (bound ${BOUND_MS} ms; hang cells ${HANG_TIMEOUT_MS} ms + ${HANG_SLACK_MS} ms).`, '');
  return out.join('\n');
}

/** What the user read in every cell, for review: one line per cell. */
function sentences(): string {
  const out = ['# Fault matrix: what the user reads', '', '| Phase | Fault | Site | Code | Sentence | Next | Creates | New tokens | ms |', '|---|---|---|---|---|---|---|---|---|'];
  for (const phase of PHASES) {
    for (const { id: fault, title } of FAULTS) {
      for (const site of SITES) {
        const observed = observedCells.get(key(phase.id, fault, site));
        if (!observed) continue;
        const cell = (text: string) => text.replace(/\|/g, '\\|');
        out.push(
          `| ${phase.id} | ${title} | ${PRODUCTS[site]} | ${observed.outcome === 'ok' ? '✓' : observed.outcome} | ${cell(observed.user?.sentence ?? '')} | ${cell(observed.user?.next ?? '')} | ${observed.creates} | ${observed.newTokens} | ${Math.round(observed.ms)} |`,
        );
      }
    }
  }
  return `${out.join('\n')}\n`;
}
