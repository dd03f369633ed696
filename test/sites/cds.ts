// Emulated OVH CDS (v0.57+): the UI's sign-in page and the API behind its `/cdsapi` proxy, with the session, XSRF and
// builtin-consumer endpoints of shared/contracts/cds.md.
//
// Users, all in organization `acme` (the sign-in form asks for "Username" and "Password", as CDS's local driver does):
//   jdoe  / jdoe123   "Jane Doe"        USER        groups team-a (group admin), team-b
//   maint / maint123  "Max Maintainer"  MAINTAINER  group team-a; lists every group and other users' tokens
//   admin / admin123  "Ada Admin"       ADMIN       group ops; may revoke and regenerate anyone's tokens
// Every ring may make tokens for itself; what cannot is a session opened with a token lacking the AccessToken scope
// (`signInWithToken`), which gets 401 on the consumer routes, as on the real API.
//
// Choices where the contract leaves room: the `xsrf_token` cookie is first issued by an authenticated read (as the
// real middleware does), not at sign-in; a group id that does not exist is a 400 without `from`; cookies carry no
// Domain attribute (browsers refuse one on 127.0.0.1) and `Secure` only on https (the harness's rule).
import { randomBytes, randomUUID } from 'node:crypto';
import type { DemoSite } from '../../scripts/demo.ts';
import { Router, escapeHtml, html, page, postForCookies, redirect, setCookie, signInThroughForm, startSite, text } from './harness.ts';
import type { Reply, Site, SiteRequest } from './harness.ts';

type Ring = 'ADMIN' | 'MAINTAINER' | 'USER';

interface User {
  id: string;
  username: string;
  password: string;
  fullname: string;
  ring: Ring;
  created: string;
}

interface Group {
  id: number;
  name: string;
  /** username → group admin */
  members: Record<string, boolean>;
}

interface Endpoint {
  route: string;
  methods: string[];
}

interface ScopeDetail {
  scope: string;
  endpoints?: Endpoint[];
}

interface Period {
  issuedAt: Date;
  /** Nanoseconds; 0 or less never expires. */
  duration: bigint;
}

interface Consumer {
  id: string;
  name: string;
  description: string;
  type: 'local' | 'builtin';
  username: string;
  parentId?: string;
  created: Date;
  disabled: boolean;
  /** Newest first. */
  periods: Period[];
  groupIds: number[];
  scopes: ScopeDetail[];
  /** Sign-in tokens that still work until `until` (null: while the newest period lasts). Newest first. */
  signin: { token: string; until: Date | null }[];
  lastAuthentication?: Date;
}

interface Session {
  id: string;
  jwt: string;
  consumerId: string;
  username: string;
  created: Date;
  expireAt: Date;
  /** The session's XSRF token as the API keeps it; undefined until a read issues one. */
  xsrf?: string;
}

/** A builtin consumer as tests look at it. */
export interface CdsToken {
  id: string;
  name: string;
  description: string;
  /** The sign-in token that works now (the newest one). */
  signinToken: string;
  /** Of the newest validity period, in nanoseconds, exactly as received. */
  durationNs: bigint;
  groupIds: number[];
  scopes: ScopeDetail[];
  disabled: boolean;
  parentId: string | undefined;
  created: Date;
}

export interface CdsSite extends Site {
  /** The user's builtin consumers, oldest first. */
  tokens(username: string): CdsToken[];
  /** Seeds a builtin token without going through HTTP. */
  addToken(username: string, name: string, options?: { scopes?: string[]; days?: number }): CdsToken;
  /** How many live sessions the user has (login and token sessions). */
  sessions(username: string): number;
  /** Forgets the XSRF tokens kept for the user's sessions, as when the API's cache drops them. */
  dropXsrf(username: string): void;
  /** Maintenance mode: writes by USER-ring sessions get 503 id 60. */
  setMaintenance(on: boolean): void;
}

const USERS: readonly User[] = [
  { id: 'b6c2f4c0-0001-4c1e-9a55-5a1d2b1c0001', username: 'jdoe', password: 'jdoe123', fullname: 'Jane Doe', ring: 'USER', created: '2024-01-02T10:00:00Z' },
  { id: 'b6c2f4c0-0002-4c1e-9a55-5a1d2b1c0002', username: 'maint', password: 'maint123', fullname: 'Max Maintainer', ring: 'MAINTAINER', created: '2024-01-03T10:00:00Z' },
  { id: 'b6c2f4c0-0003-4c1e-9a55-5a1d2b1c0003', username: 'admin', password: 'admin123', fullname: 'Ada Admin', ring: 'ADMIN', created: '2024-01-04T10:00:00Z' },
];
const ORGANIZATION = 'acme';
const DEFAULT_GROUP = 'shared.infra';
const API_PREFIX = '/cdsapi';
const VERSION = { version: '0.57.2', git_hash: '5d7f1e0a9c', build_time: '2026-06-30T09:12:00Z', os: 'linux', architecture: 'amd64' };

const JWT_COOKIE = 'jwt_token';
const XSRF_COOKIE = 'xsrf_token';
const LOGIN_SESSION_MS = 30 * 24 * 3600 * 1000;
const TOKEN_SESSION_MS = 3600 * 1000;
const NS_PER_DAY = 86_400_000_000_000n;
const NS_PER_MS = 1_000_000n;
const DEFAULT_DAYS = 30n;
const DEFAULT_OVERLAP_NS = 24n * 3600n * 1_000_000_000n;
const TEXT_MAX = 255;

/** `/auth/scope`: each scope and the routes it opens, in the normalized template form. */
const SCOPE_ROUTES: Record<string, Endpoint[]> = {
  User: [
    { route: '/auth/me', methods: ['GET'] },
    { route: '/user/<username>', methods: ['GET', 'PUT', 'DELETE'] },
    { route: '/user/<username>/group', methods: ['GET'] },
  ],
  AccessToken: [
    { route: '/user/<username>/auth/consumer', methods: ['GET', 'POST'] },
    { route: '/user/<username>/auth/consumer/<consumer-id>', methods: ['DELETE'] },
    { route: '/user/<username>/auth/consumer/<consumer-id>/regen', methods: ['POST'] },
  ],
  Action: [{ route: '/action', methods: ['GET', 'POST'] }],
  Admin: [{ route: '/admin/maintenance', methods: ['POST'] }],
  Group: [
    { route: '/group', methods: ['GET', 'POST'] },
    { route: '/group/<group-name>', methods: ['GET', 'PUT', 'DELETE'] },
  ],
  Template: [{ route: '/template', methods: ['GET', 'POST'] }],
  Project: [
    { route: '/project', methods: ['GET', 'POST'] },
    { route: '/project/<project-key>', methods: ['GET', 'PUT', 'DELETE'] },
  ],
  Run: [{ route: '/project/<project-key>/workflows/<workflow-name>/runs', methods: ['GET', 'POST'] }],
  RunExecution: [{ route: '/project/<project-key>/workflows/<workflow-name>/runs/<number>/nodes/<node-run-id>', methods: ['GET'] }],
  Hooks: [{ route: '/project/<project-key>/workflows/<workflow-name>/hooks/<uuid>', methods: ['GET'] }],
  WorkerModel: [{ route: '/worker/model', methods: ['GET', 'POST'] }],
  Hatchery: [{ route: '/hatchery/<hatchery-name>', methods: ['GET'] }],
  Service: [{ route: '/services/<type>', methods: ['GET'] }],
};

const MESSAGES: Record<number, string> = {
  1: 'internal server error',
  10: 'not authenticated',
  11: 'forbidden',
  38: 'resource not found',
  60: 'service unavailable',
  74: 'wrong request',
  136: 'User not found',
};

const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');
const jws = (claims: Record<string, unknown>) =>
  `${b64url(JSON.stringify({ alg: 'RS512', typ: 'JWT' }))}.${b64url(JSON.stringify(claims))}.${b64url(randomBytes(96))}`;

/**
 * JSON.parse that keeps every integer literal exact, as a bigint (Go reads `duration` as an int64; 365 days in
 * nanoseconds is beyond 2^53). Literals with a fraction or exponent stay numbers. The marker holds a random id.
 */
export function parseExactJson(textBody: string): unknown {
  const marker = `int-${randomUUID()}:`;
  const token = /"(?:[^"\\]|\\.)*"|-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/gy;
  let out = '';
  let at = 0;
  while (at < textBody.length) {
    token.lastIndex = at;
    const match = token.exec(textBody);
    if (!match) {
      out += textBody[at];
      at++;
      continue;
    }
    const [literal, fraction, exponent] = match;
    out += literal.startsWith('"') || fraction || exponent ? literal : `"${marker}${literal}"`;
    at += literal.length;
  }
  return JSON.parse(out, (_key, value: unknown) =>
    typeof value === 'string' && value.startsWith(marker) ? BigInt(value.slice(marker.length)) : value,
  );
}

/** JSON text with bigints written as exact integer literals. */
export function stringifyExact(value: unknown): string {
  const marker = `int-${randomUUID()}:`;
  const textBody = JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? `${marker}${item}` : item));
  return textBody.replace(new RegExp(`"${marker}(-?\\d+)"`, 'g'), '$1');
}

/** A Go duration string ("1h30m", "0s", "500ms") in nanoseconds; undefined when Go could not parse it. */
function goDuration(value: string): bigint | undefined {
  if (value === '0') return 0n;
  if (!/^(\d+(ms|us|µs|ns|h|m|s))+$/.test(value)) return undefined;
  const units: Record<string, bigint> = { h: 3_600_000_000_000n, m: 60_000_000_000n, s: 1_000_000_000n, ms: 1_000_000n, us: 1000n, µs: 1000n, ns: 1n };
  let total = 0n;
  for (const [, amount, unit] of value.matchAll(/(\d+)(ms|us|µs|ns|h|m|s)/g)) total += BigInt(amount!) * units[unit!]!;
  return total;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function findUser(username: string): User | undefined {
  return USERS.find((user) => user.username === username);
}

function signInPage(error?: string): string {
  return page(
    'Sign in · CDS',
    `<h1>Sign in to CDS</h1>
${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/auth/signin">
  <p><label for="username">Username</label> <input id="username" name="username" autocomplete="username" required></p>
  <p><label for="password">Password</label> <input id="password" name="password" type="password" autocomplete="current-password" required></p>
  <button type="submit">Sign in</button>
</form>`,
  );
}

interface Ctx {
  req: SiteRequest;
  requestId: string;
  /** The API path, without the `/cdsapi` prefix. */
  path: string;
  /** Cookies the answer sets besides its own. */
  cookies: string[];
}

interface Auth {
  session: Session;
  consumer: Consumer;
  user: User;
  fromCookie: boolean;
}

type Level = 'read' | 'write';

export async function startCds(options: { port?: number } = {}): Promise<CdsSite> {
  const groups: Group[] = [
    { id: 1, name: DEFAULT_GROUP, members: {} },
    { id: 12, name: 'team-a', members: { jdoe: true, maint: false } },
    { id: 13, name: 'team-b', members: { jdoe: false } },
    { id: 14, name: 'ops', members: { admin: true } },
  ];
  const consumers: Consumer[] = USERS.map((user) => ({
    id: randomUUID(),
    name: 'local',
    description: '',
    type: 'local',
    username: user.username,
    created: new Date(user.created),
    disabled: false,
    periods: [],
    groupIds: [],
    scopes: [],
    signin: [],
  }));
  const sessions = new Map<string, Session>();
  let maintenance = false;

  // -------------------------------------------------------------------------------------------------------------------
  // Model.

  const localConsumer = (username: string) => consumers.find((c) => c.username === username && c.type === 'local')!;
  const builtins = (username: string) => consumers.filter((c) => c.username === username && c.type === 'builtin');

  function openSession(consumer: Consumer, lifetimeMs: number): Session {
    const id = randomUUID();
    const expireAt = new Date(Date.now() + lifetimeMs);
    const jwt = jws({ ID: id, TokenID: randomUUID(), exp: Math.floor(expireAt.getTime() / 1000) });
    const session: Session = { id, jwt, consumerId: consumer.id, username: consumer.username, created: new Date(), expireAt };
    sessions.set(jwt, session);
    return session;
  }

  function newSigninToken(consumer: Consumer): string {
    return jws({ ConsumerID: consumer.id, IAT: Math.floor(Date.now() / 1000), Nonce: randomBytes(8).toString('hex') });
  }

  function makeBuiltin(owner: string, parentId: string, fields: { name: string; description: string; duration: bigint; groupIds: number[]; scopes: ScopeDetail[] }): Consumer {
    const consumer: Consumer = {
      id: randomUUID(),
      type: 'builtin',
      username: owner,
      parentId,
      created: new Date(),
      disabled: false,
      periods: [{ issuedAt: new Date(), duration: fields.duration }],
      signin: [],
      ...fields,
    };
    consumer.signin.push({ token: newSigninToken(consumer), until: null });
    consumers.push(consumer);
    return consumer;
  }

  /** Whether a sign-in token of the consumer still works now. */
  function signinWorks(consumer: Consumer, entry: Consumer['signin'][number]): boolean {
    const now = Date.now();
    if (entry.until) return entry.until.getTime() > now;
    const newest = consumer.periods[0];
    if (!newest || newest.duration <= 0n) return true;
    return newest.issuedAt.getTime() + Number(newest.duration / NS_PER_MS) > now;
  }

  /** Removes consumers, every consumer made from them, and all their sessions. */
  function removeConsumer(id: string): void {
    for (const child of consumers.filter((c) => c.parentId === id)) removeConsumer(child.id);
    const index = consumers.findIndex((c) => c.id === id);
    if (index >= 0) consumers.splice(index, 1);
    for (const [jwt, session] of sessions) if (session.consumerId === id) sessions.delete(jwt);
  }

  function groupsOf(username: string): Group[] {
    return groups.filter((group) => username in group.members);
  }

  // -------------------------------------------------------------------------------------------------------------------
  // JSON shapes.

  const fail = (ctx: Ctx, status: number, id: number, from?: string): Reply => api(ctx, status, {
    id,
    message: MESSAGES[id] ?? 'error',
    ...(from !== undefined && { from }),
    request_id: ctx.requestId,
  });

  function api(ctx: Ctx, status: number, value: unknown): Reply {
    const headers: Record<string, string | string[]> = { 'content-type': 'application/json' };
    if (ctx.cookies.length > 0) headers['set-cookie'] = ctx.cookies;
    return { status, headers, body: stringifyExact(value) };
  }

  function userJson(user: User, withGroups = false): Record<string, unknown> {
    return {
      id: user.id,
      created: user.created,
      username: user.username,
      fullname: user.fullname,
      ring: user.ring,
      groups: withGroups ? groupsOf(user.username).map((g) => groupJson(g, user.username)) : null,
      organization: ORGANIZATION,
    };
  }

  function groupJson(group: Group, viewer: string): Record<string, unknown> {
    return { id: group.id, name: group.name, admin: group.members[viewer] === true, organization: ORGANIZATION };
  }

  function periodsJson(consumer: Consumer) {
    return consumer.periods.map((p) => ({ issued_at: p.issuedAt.toISOString(), duration: p.duration }));
  }

  function consumerJson(consumer: Consumer, how: { groups: boolean; listed: boolean }): Record<string, unknown> {
    const user = findUser(consumer.username)!;
    const json: Record<string, unknown> = {
      id: consumer.id,
      name: consumer.name,
      type: consumer.type,
      description: consumer.description,
      parent_id: consumer.parentId ?? null,
      created: consumer.created.toISOString(),
      disabled: consumer.disabled,
      validity_periods: consumer.type === 'builtin' ? periodsJson(consumer) : null,
      auth_consumer_user: {
        id: `acu-${consumer.id}`,
        auth_consumer_id: consumer.id,
        user_id: user.id,
        group_ids: consumer.groupIds,
        scope_details: consumer.scopes.length > 0 ? consumer.scopes : null,
        ...(how.listed && { invalid_group_ids: [] }),
        ...(how.groups && { groups: groups.filter((g) => consumer.groupIds.includes(g.id)).map((g) => ({ id: g.id, name: g.name })) }),
      },
    };
    if (how.listed) {
      json.issued_at = consumer.periods[0]?.issuedAt.toISOString() ?? consumer.created.toISOString();
      json.warnings = [];
      if (consumer.lastAuthentication) json.last_authentication = consumer.lastAuthentication.toISOString();
    }
    return json;
  }

  // -------------------------------------------------------------------------------------------------------------------
  // Auth middleware.

  /** The session the request presents: the `jwt_token` cookie if there is one, else an `Authorization: Bearer`. */
  function authenticate(req: SiteRequest): Auth | undefined {
    const cookie = req.cookies[JWT_COOKIE];
    const fromCookie = cookie !== undefined;
    const jwt = fromCookie ? cookie : /^Bearer (\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const session = jwt === undefined ? undefined : sessions.get(jwt);
    if (!session || session.expireAt.getTime() <= Date.now()) return undefined;
    const consumer = consumers.find((c) => c.id === session.consumerId);
    const user = findUser(session.username);
    return consumer && user ? { session, consumer, user, fromCookie } : undefined;
  }

  /** As the real scope check: a route without a scope, one of the route's scopes in the consumer's, or no scopes at all (the wildcard). */
  function scopeAllows(consumer: Consumer, scope: string, route: string, method: string): boolean {
    if (scope === '' || consumer.scopes.length === 0) return true;
    return consumer.scopes.some(
      (detail) =>
        detail.scope === scope &&
        (!detail.endpoints?.length || detail.endpoints.some((e) => e.route === route && e.methods.includes(method))),
    );
  }

  /** Wraps an API handler in CDS's middlewares: authentication, scope, maintenance, then XSRF. */
  function secured<P>(scope: string, route: string, level: Level, handler: (ctx: Ctx, auth: Auth, params: P) => Reply) {
    return (ctx: Ctx, params: P): Reply => {
      const auth = authenticate(ctx.req);
      if (!auth || auth.consumer.disabled) return fail(ctx, 401, 10);
      if (!scopeAllows(auth.consumer, scope, route, ctx.req.method)) return fail(ctx, 401, 10);
      if (level === 'write' && maintenance && auth.user.ring === 'USER') return fail(ctx, 503, 60);
      if (auth.fromCookie) {
        if (level === 'write') {
          const sent = ctx.req.headers['x-xsrf-token'];
          if (auth.session.xsrf === undefined || sent !== auth.session.xsrf) return fail(ctx, 403, 11);
        } else {
          // A read without the cookie (or after the cache lost the token) gets a new one: the old one stops working.
          if (auth.session.xsrf === undefined || ctx.req.cookies[XSRF_COOKIE] === undefined) auth.session.xsrf = randomBytes(16).toString('hex');
          ctx.cookies.push(setCookie(ctx.req.url.origin, XSRF_COOKIE, auth.session.xsrf, { sameSite: 'Strict', path: '/' }));
        }
      }
      return handler(ctx, auth, params);
    };
  }

  /** The user a `{username}` segment names (`me` where the route accepts it), or the 404 CDS gives. */
  function target(ctx: Ctx, auth: Auth, username: string, meAllowed: boolean): User | Reply {
    const user = meAllowed && username === 'me' ? auth.user : findUser(username);
    return user ?? fail(ctx, 404, 136);
  }

  const isAnswer = (value: User | Reply): value is Reply => 'status' in value;
  const canSeeOthers = (user: User) => user.ring === 'ADMIN' || user.ring === 'MAINTAINER';

  // -------------------------------------------------------------------------------------------------------------------
  // Create and regenerate.

  function parseBody(ctx: Ctx): Record<string, unknown> | Reply {
    try {
      const body = ctx.req.body.trim() === '' ? {} : parseExactJson(ctx.req.body);
      return isRecord(body) ? body : fail(ctx, 400, 74);
    } catch {
      return fail(ctx, 400, 74);
    }
  }

  const isReply = (value: unknown): value is Reply => isRecord(value) && typeof value.status === 'number' && 'body' in value;

  function parseScopes(ctx: Ctx, value: unknown): ScopeDetail[] | Reply {
    if (value !== undefined && value !== null && !Array.isArray(value)) return fail(ctx, 400, 74);
    const list = (value ?? []) as unknown[];
    if (list.length === 0) return fail(ctx, 400, 74, 'invalid given scopes: at least one scope is required');
    const seen = new Set<string>();
    const details: ScopeDetail[] = [];
    for (const item of list) {
      if (!isRecord(item) || typeof item.scope !== 'string') return fail(ctx, 400, 74);
      const routes = SCOPE_ROUTES[item.scope];
      if (!routes) return fail(ctx, 400, 74, `invalid given scope ${item.scope}`);
      if (seen.has(item.scope)) return fail(ctx, 400, 74, `duplicated scope ${item.scope}`);
      seen.add(item.scope);
      const detail: ScopeDetail = { scope: item.scope };
      if (item.endpoints !== undefined && item.endpoints !== null) {
        if (!Array.isArray(item.endpoints)) return fail(ctx, 400, 74);
        detail.endpoints = [];
        for (const endpoint of item.endpoints) {
          if (!isRecord(endpoint) || typeof endpoint.route !== 'string') return fail(ctx, 400, 74);
          const known = routes.find((r) => r.route === endpoint.route);
          if (!known) return fail(ctx, 400, 74, `invalid route ${endpoint.route} for scope ${item.scope}`);
          const methods = Array.isArray(endpoint.methods) ? endpoint.methods : [];
          if (!methods.every((m) => typeof m === 'string' && known.methods.includes(m)) || new Set(methods).size !== methods.length) {
            return fail(ctx, 400, 74, `invalid methods for route ${endpoint.route}`);
          }
          detail.endpoints.push({ route: endpoint.route, methods: methods as string[] });
        }
      }
      details.push(detail);
    }
    return details;
  }

  function parseDuration(ctx: Ctx, value: unknown): bigint | Reply {
    if (value === undefined || value === null) return DEFAULT_DAYS * NS_PER_DAY;
    if (!Array.isArray(value)) return fail(ctx, 400, 74);
    if (value.length === 0) return DEFAULT_DAYS * NS_PER_DAY;
    let duration: bigint | undefined;
    for (const period of value) {
      if (!isRecord(period) || typeof period.duration !== 'bigint') return fail(ctx, 400, 74);
      // The server takes "now" whatever it is sent, but what it is sent must be RFC 3339.
      if (period.issued_at !== undefined && (typeof period.issued_at !== 'string' || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(period.issued_at))) {
        return fail(ctx, 400, 74);
      }
      duration ??= period.duration;
    }
    return duration!;
  }

  function create(ctx: Ctx, auth: Auth, owner: User): Reply {
    const body = parseBody(ctx);
    if (isReply(body)) return body;
    const { name = '', description = '' } = body;
    if (typeof name !== 'string' || typeof description !== 'string') return fail(ctx, 400, 74);
    if (name.trim() === '') return fail(ctx, 400, 74, 'invalid given name');
    // VARCHAR(255): the database refuses, and the API has no check of its own.
    if (name.length > TEXT_MAX || description.length > TEXT_MAX) return fail(ctx, 500, 1);
    const acu = body.auth_consumer_user ?? {};
    if (!isRecord(acu)) return fail(ctx, 400, 74);
    const scopes = parseScopes(ctx, acu.scope_details);
    if (isReply(scopes)) return scopes;
    const rawGroups = acu.group_ids ?? [];
    if (!Array.isArray(rawGroups) || !rawGroups.every((id) => typeof id === 'bigint')) return fail(ctx, 400, 74);
    const groupIds = [...new Set(rawGroups.map(Number))];
    if (!groupIds.every((id) => groups.some((g) => g.id === id))) return fail(ctx, 400, 74);
    const duration = parseDuration(ctx, body.validity_periods);
    if (isReply(duration)) return duration;

    // A session from a restricted token passes on its restrictions.
    const parent = auth.consumer;
    if (parent.scopes.length > 0 && !scopes.every((s) => parent.scopes.some((p) => p.scope === s.scope))) {
      return fail(ctx, 400, 74, 'scope not allowed by the parent consumer');
    }
    if (parent.groupIds.length > 0 && !groupIds.every((id) => parent.groupIds.includes(id))) return fail(ctx, 400, 74);

    const consumer = makeBuiltin(owner.username, parent.id, { name, description, duration, groupIds, scopes });
    return api(ctx, 201, { token: consumer.signin[0]!.token, consumer: consumerJson(consumer, { groups: true, listed: false }) });
  }

  function regen(ctx: Ctx, consumer: Consumer): Reply {
    const body = parseBody(ctx);
    if (isReply(body)) return body;
    const { revoke_sessions: revoke = false, overlap_duration: overlapText = '', new_duration: days = 0n } = body;
    if (typeof revoke !== 'boolean' || typeof overlapText !== 'string' || typeof days !== 'bigint') return fail(ctx, 400, 74);
    const overlap = overlapText === '' ? DEFAULT_OVERLAP_NS : goDuration(overlapText);
    const duration = (days > 0n ? days : DEFAULT_DAYS) * NS_PER_DAY;
    if (overlap === undefined || overlap > duration) return fail(ctx, 400, 74, 'invalid duration');

    const now = new Date();
    const cutOff = new Date(now.getTime() + Number(overlap / NS_PER_MS));
    // The old tokens end after the overlap; their periods stay listed, shortened to end then.
    for (const entry of consumer.signin) if (!entry.until || entry.until > cutOff) entry.until = cutOff;
    for (const period of consumer.periods) {
      const end = BigInt(cutOff.getTime() - period.issuedAt.getTime()) * NS_PER_MS;
      if (period.duration <= 0n || period.duration > end) period.duration = end;
    }
    consumer.periods.unshift({ issuedAt: now, duration });
    consumer.signin.unshift({ token: newSigninToken(consumer), until: null });
    if (revoke) for (const [jwt, session] of sessions) if (session.consumerId === consumer.id) sessions.delete(jwt);
    return api(ctx, 200, { token: consumer.signin[0]!.token, consumer: consumerJson(consumer, { groups: false, listed: false }) });
  }

  /** A consumer the session may change: the owner's, or any for an ADMIN; builtin and, for regen, enabled. */
  function changeable(auth: Auth, owner: User, id: string, enabledOnly: boolean): Consumer | undefined {
    if (owner.username !== auth.user.username && auth.user.ring !== 'ADMIN') return undefined;
    const consumer = consumers.find((c) => c.id === id && c.username === owner.username);
    if (!consumer || consumer.type !== 'builtin' || (enabledOnly && consumer.disabled)) return undefined;
    return consumer;
  }

  // -------------------------------------------------------------------------------------------------------------------
  // Routes.

  const CONSUMERS = '/user/:username/auth/consumer';
  const apiRoutes = new Router<Ctx>()
    .on('GET', '/mon/version', (ctx) => api(ctx, 200, VERSION))
    .on('GET', '/auth/driver', (ctx) =>
      api(ctx, 200, { is_first_connection: false, manifests: [{ type: 'local', signup_disabled: false, support_mfa: false }] }),
    )
    .on('GET', '/auth/scope', (ctx) =>
      api(
        ctx,
        200,
        Object.entries(SCOPE_ROUTES).map(([scope, endpoints]) => ({
          scope,
          // Not stable on the real server either.
          endpoints: endpoints.map((e) => ({ route: e.route, methods: Math.random() < 0.5 ? [...e.methods].reverse() : e.methods })),
        })),
      ),
    )
    .on(
      'GET',
      '/auth/me',
      secured('User', '/auth/me', 'read', (ctx, { user, consumer, session }) =>
        api(ctx, 200, {
          user: userJson(user),
          consumer: {
            id: consumer.id,
            name: consumer.name,
            type: consumer.type,
            disabled: consumer.disabled,
            auth_consumer_user: {
              user_id: user.id,
              ...(consumer.type === 'builtin' && { group_ids: consumer.groupIds, scope_details: consumer.scopes }),
            },
          },
          session: {
            id: session.id,
            consumer_id: consumer.id,
            created: session.created.toISOString(),
            expire_at: session.expireAt.toISOString(),
            mfa: false,
          },
          driver_manifest: { type: 'local', signup_disabled: false, support_mfa: false },
        }),
      ),
    )
    .on(
      'GET',
      '/user/:username',
      secured('User', '/user/<username>', 'read', (ctx, auth, { username }: { username: string }) => {
        const user = target(ctx, auth, username, true);
        return isAnswer(user) ? user : api(ctx, 200, userJson(user, true));
      }),
    )
    .on(
      'GET',
      '/user/:username/group',
      secured('User', '/user/<username>/group', 'read', (ctx, auth, { username }: { username: string }) => {
        // `me` is a username like any other here, and nobody is called that.
        const user = target(ctx, auth, username, false);
        if (isAnswer(user)) return user;
        if (user.username !== auth.user.username && !canSeeOthers(auth.user)) return fail(ctx, 403, 11);
        return api(ctx, 200, groupsOf(user.username).map((g) => groupJson(g, user.username)));
      }),
    )
    .on(
      'GET',
      '/group',
      secured('Group', '/group', 'read', (ctx, { user }) => {
        const withoutDefault = ctx.req.url.searchParams.get('withoutDefault') === 'true';
        const visible = canSeeOthers(user) ? groups : groupsOf(user.username);
        return api(ctx, 200, visible.filter((g) => !withoutDefault || g.name !== DEFAULT_GROUP).map((g) => groupJson(g, user.username)));
      }),
    )
    .on(
      'GET',
      CONSUMERS,
      secured('AccessToken', '/user/<username>/auth/consumer', 'read', (ctx, auth, { username }: { username: string }) => {
        const owner = target(ctx, auth, username, true);
        if (isAnswer(owner)) return owner;
        if (owner.username !== auth.user.username && !canSeeOthers(auth.user)) return fail(ctx, 403, 11);
        const list = consumers.filter((c) => c.username === owner.username).sort((a, b) => a.created.getTime() - b.created.getTime());
        return api(ctx, 200, list.map((c) => consumerJson(c, { groups: true, listed: true })));
      }),
    )
    .on(
      'POST',
      CONSUMERS,
      secured('AccessToken', '/user/<username>/auth/consumer', 'write', (ctx, auth, { username }: { username: string }) => {
        const owner = target(ctx, auth, username, true);
        if (isAnswer(owner)) return owner;
        // Only the owner may create, admins included.
        if (owner.username !== auth.user.username) return fail(ctx, 403, 11);
        return create(ctx, auth, owner);
      }),
    )
    .on(
      'DELETE',
      `${CONSUMERS}/:id`,
      secured('AccessToken', '/user/<username>/auth/consumer/<consumer-id>', 'write', (ctx, auth, { username, id }: { username: string; id: string }) => {
        const owner = target(ctx, auth, username, true);
        if (isAnswer(owner)) return owner;
        const consumer = changeable(auth, owner, id, false);
        // Unknown, not builtin, or someone else's: all 403, never 404.
        if (!consumer) return fail(ctx, 403, 11);
        removeConsumer(consumer.id);
        return api(ctx, 200, null);
      }),
    )
    .on(
      'POST',
      `${CONSUMERS}/:id/regen`,
      secured('AccessToken', '/user/<username>/auth/consumer/<consumer-id>/regen', 'write', (ctx, auth, { username, id }: { username: string; id: string }) => {
        const owner = target(ctx, auth, username, true);
        if (isAnswer(owner)) return owner;
        const consumer = changeable(auth, owner, id, true);
        return consumer ? regen(ctx, consumer) : fail(ctx, 403, 11);
      }),
    )
    .on('POST', '/auth/consumer/local/signin', (ctx) => {
      const body = parseBody(ctx);
      if (isReply(body)) return body;
      const user = typeof body.username === 'string' ? findUser(body.username) : undefined;
      if (!user || user.password !== body.password) return fail(ctx, 401, 10);
      const session = openSession(localConsumer(user.username), LOGIN_SESSION_MS);
      ctx.cookies.push(sessionCookie(ctx.req, session));
      return api(ctx, 200, { api_url: ctx.req.url.origin + API_PREFIX, token: session.jwt, user: userJson(user) });
    })
    .on('POST', '/auth/consumer/builtin/signin', (ctx) => {
      const body = parseBody(ctx);
      const token = isReply(body) ? undefined : body.token;
      const consumer = consumers.find((c) => c.type === 'builtin' && c.signin.some((s) => s.token === token && signinWorks(c, s)));
      if (typeof token !== 'string' || !consumer) return fail(ctx, 403, 11, 'invalid signin token');
      consumer.lastAuthentication = new Date();
      const session = openSession(consumer, TOKEN_SESSION_MS);
      // The quirk: the answer also sets the session cookie, replacing a browser's UI session if cookies went along.
      ctx.cookies.push(sessionCookie(ctx.req, session));
      const user = findUser(consumer.username)!;
      const reply = api(ctx, 200, {
        api_url: ctx.req.url.origin + API_PREFIX,
        token: session.jwt,
        user: { id: user.id, username: user.username, fullname: user.fullname, ring: user.ring, created: user.created, groups: null },
        service: {},
      });
      return { ...reply, headers: { ...reply.headers, 'x-api-pub-signing-key': randomBytes(32).toString('base64') } };
    })
    .on(
      'POST',
      '/auth/consumer/signout',
      secured('', '/auth/consumer/signout', 'write', (ctx, { session }) => {
        sessions.delete(session.jwt);
        if (ctx.req.cookies[JWT_COOKIE] !== undefined) {
          ctx.cookies.push(setCookie(ctx.req.url.origin, JWT_COOKIE, '', { httpOnly: true, sameSite: 'Strict', path: '/', maxAge: 0 }));
        }
        return api(ctx, 200, null);
      }),
    );

  function sessionCookie(req: SiteRequest, session: Session): string {
    const maxAge = Math.floor((session.expireAt.getTime() - Date.now()) / 1000);
    return setCookie(req.url.origin, JWT_COOKIE, session.jwt, { httpOnly: true, sameSite: 'Strict', path: '/', maxAge });
  }

  /** The UI server: its sign-in page, a home page, and the Angular app's index for every other page. */
  const uiRoutes = new Router<SiteRequest>()
    .on('GET', '/', (req) => {
      const auth = authenticate(req);
      return html(
        200,
        page(
          'CDS',
          auth
            ? `<h1>CDS</h1>\n<p>Signed in as ${escapeHtml(auth.user.fullname)} (${escapeHtml(auth.user.username)}).</p>\n<p><a href="/auth/signout">Sign out</a></p>`
            : `<h1>CDS</h1>\n<p>You are not signed in.</p>\n<p><a href="/auth/signin">Sign in</a></p>`,
        ),
      );
    })
    .on('GET', '/auth/signin', () => html(200, signInPage()))
    .on('POST', '/auth/signin', (req) => {
      // No Origin check: a browser may post this form with `Origin: null`.
      const form = new URLSearchParams(req.body);
      const user = findUser(form.get('username') ?? '');
      if (!user || user.password !== form.get('password')) return html(401, signInPage('Wrong username or password.'));
      const session = openSession(localConsumer(user.username), LOGIN_SESSION_MS);
      return redirect('/', { 'set-cookie': [sessionCookie(req, session)] });
    })
    .on('GET', '/auth/signout', (req) => {
      sessions.delete(req.cookies[JWT_COOKIE] ?? '');
      const gone = { sameSite: 'Strict', path: '/', maxAge: 0 } as const;
      return redirect('/auth/signin', {
        'set-cookie': [
          setCookie(req.url.origin, JWT_COOKIE, '', { ...gone, httpOnly: true }),
          setCookie(req.url.origin, XSRF_COOKIE, '', gone),
        ],
      });
    });

  const appShell = page('CDS', '<cds-root>Loading CDS…</cds-root>');

  function route(req: SiteRequest): Reply {
    const { pathname } = req.url;
    if (pathname !== API_PREFIX && !pathname.startsWith(`${API_PREFIX}/`)) {
      const page = uiRoutes.handle(req.method, pathname, req) as Reply | undefined;
      return page ?? (req.method === 'GET' ? html(200, appShell) : text(404, 'Not Found'));
    }
    const path = pathname.slice(API_PREFIX.length) || '/';
    // The UI proxy keeps the metrics to itself.
    if (path.startsWith('/mon/metrics')) return text(403, 'Forbidden');
    const ctx: Ctx = { req, requestId: randomUUID(), path, cookies: [] };
    const reply = (apiRoutes.handle(req.method, path, ctx) as Reply | undefined) ?? fail(ctx, 404, 38, `${path} not found`);
    return { ...reply, headers: { ...reply.headers, 'request-id': ctx.requestId } };
  }

  const site = await startSite(route, options);

  const tokens = (username: string): CdsToken[] =>
    builtins(username).map((c) => ({
      id: c.id,
      name: c.name,
      description: c.description,
      signinToken: c.signin[0]!.token,
      durationNs: c.periods[0]!.duration,
      groupIds: [...c.groupIds],
      scopes: c.scopes.map((s) => ({ ...s })),
      disabled: c.disabled,
      parentId: c.parentId,
      created: c.created,
    }));

  return {
    ...site,
    tokens,
    addToken(username, name, { scopes = ['Project'], days = 30 } = {}) {
      const consumer = makeBuiltin(username, localConsumer(username).id, {
        name,
        description: '',
        duration: BigInt(days) * NS_PER_DAY,
        groupIds: [],
        scopes: scopes.map((scope) => ({ scope })),
      });
      return tokens(username).find((t) => t.id === consumer.id)!;
    },
    sessions: (username) => [...sessions.values()].filter((s) => s.username === username && s.expireAt.getTime() > Date.now()).length,
    dropXsrf(username) {
      for (const session of sessions.values()) if (session.username === username) delete session.xsrf;
    },
    setMaintenance(on) {
      maintenance = on;
    },
  };
}

/** Signs in over HTTP like the sign-in form does; returns the `Cookie` header value (`jwt_token`) for later requests. */
export async function signIn(site: Pick<Site, 'origin'>, user: string, password: string): Promise<string> {
  return postForCookies(`${site.origin}/auth/signin`, new URLSearchParams({ username: user, password }), {
    expect: 302,
    label: `CDS sign-in as ${user}`,
  });
}

/** Signs in with a builtin sign-in token, cookies and all, as a browser would; returns the session's `Cookie` header. */
export async function signInWithToken(site: Pick<Site, 'origin'>, token: string): Promise<string> {
  return postForCookies(`${site.origin}${API_PREFIX}/auth/consumer/builtin/signin`, JSON.stringify({ token }), {
    expect: 200,
    label: 'CDS token sign-in',
    headers: { 'Content-Type': 'application/json' },
  });
}

/** How `npm start` runs and demonstrates this site. */
export const demo: DemoSite = {
  id: 'cds',
  name: 'CDS',
  port: 4302,
  signInPath: '/auth/signin',
  logins: [
    { user: 'jdoe', password: 'jdoe123' },
    { user: 'maint', password: 'maint123', note: 'maintainer: sees every group' },
    { user: 'admin', password: 'admin123', note: 'admin: may give a token any group' },
  ],
  start: (port) => startCds({ port }),
  signIn: (tab, origin, login) => signInThroughForm(tab, 'Username', login, `${origin}/`),
  async verify(origin, secret) {
    // Without cookies (fetch in Node has none), so no browser session is touched.
    const response = await fetch(`${origin}${API_PREFIX}/auth/consumer/builtin/signin`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ token: secret }),
    });
    if (response.status !== 200) throw new Error(`signing in with the token answered ${response.status}`);
    return `${((await response.json()) as { user: { username: string } }).user.username} (POST /cdsapi/auth/consumer/builtin/signin: 200)`;
  },
};
