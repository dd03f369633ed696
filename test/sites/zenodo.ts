// Emulated Zenodo / InvenioRDM: the sign-in form, the personal-token settings pages of invenio-oauth2server 6.0.x and
// `/api/me`, as shared/contracts/zenodo.md describes them (HTML after its "Composed HTML skeleton for a test double").
//
// Users (Zenodo signs in with an email address, so the login form asks for "Email" and "Password"):
//   demo@example.org / demo123   id 1
//   jane@example.org / jane123   id 2
// Personal tokens have no permission of their own on Zenodo: every signed-in user can make them.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { DemoSite } from '../../scripts/demo.ts';
import { Router, escapeHtml, html, json, postForCookies, redirect, setCookie, signInThroughForm, startSite } from './harness.ts';
import type { Reply, Site, SiteRequest } from './harness.ts';

interface User {
  id: number;
  email: string;
  password: string;
}

const USERS: readonly User[] = [
  { id: 1, email: 'demo@example.org', password: 'demo123' },
  { id: 2, email: 'jane@example.org', password: 'jane123' },
];

/** Flask's session cookie; the contract says not to depend on its name, and the adapter does not. */
const SESSION_COOKIE = 'session';
const SESSION_MAX_AGE = 5 * 24 * 60 * 60;
const CSRF_MAX_AGE_MS = 3600 * 1000;
const SETTINGS = '/account/settings/applications/';
const NEW_TOKEN = `${SETTINGS}tokens/new/`;
const MAX_NAME = 40;

/** In the form's order: sorted ids, internal scopes (`tokens:generate`, `webhooks:event`) left out. */
const SCOPES = [
  { id: 'deposit:actions', help: 'Allow publishing of uploads.' },
  { id: 'deposit:write', help: 'Allow upload (but not publishing).' },
  { id: 'user:email', help: 'Allow read-only access to the user’s email address.' },
] as const;
const INTERNAL_SCOPES = ['tokens:generate', 'webhooks:event'];

export interface ZenodoToken {
  id: number;
  name: string;
  scopes: string[];
  /** 60 characters from [A-Za-z0-9], as the real server makes them. */
  accessToken: string;
}

export interface ZenodoSite extends Site {
  /** The user's personal tokens (by email), oldest first. */
  tokens(email: string): ZenodoToken[];
  /** Makes a token without going through HTTP (no shown-once flag is set). */
  addToken(email: string, name: string, scopes?: string[]): ZenodoToken;
  /** Every csrf_token issued so far stops matching its session, as after the one-hour limit or a new session key. */
  expireCsrfTokens(): void;
}

interface StoredToken extends ZenodoToken {
  userId: number;
}

/** A copy without the owner, so tests cannot change the site's state by accident. */
function publicToken({ userId: _, ...token }: StoredToken): ZenodoToken {
  return { ...token, scopes: [...token.scopes] };
}

interface Session {
  userId: number;
  /** The raw value Flask-WTF keeps in the session; issued tokens are signed copies of it. */
  csrfRaw: string;
  /** `show_personal_access_token`: set by a create, popped by the first GET of any token page. */
  showToken: boolean;
}

interface Ctx {
  req: SiteRequest;
}

interface PageCtx extends Ctx {
  user: User;
  session: Session;
}

const randomText = (bytes: number) => randomBytes(bytes).toString('base64url');
const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function personalSecret(): string {
  // Rejection sampling keeps every character equally likely (256 is not a multiple of 62).
  let secret = '';
  while (secret.length < 60) {
    for (const byte of randomBytes(64)) if (byte < 248 && secret.length < 60) secret += ALPHANUMERIC[byte % 62];
  }
  return secret;
}

function page(title: string, content: string): string {
  return `<!doctype html>
<html lang="en" dir="ltr">
<head><meta charset="utf-8"><title>${escapeHtml(title)} | Zenodo</title></head>
<body>
<header><a href="/">Zenodo</a></header>
<main class="ui container">
${content}
</main>
</body>
</html>`;
}

function loginPage(next: string, error?: string): string {
  return page(
    'Log in',
    `<h1>Log in to Zenodo</h1>
${error ? `<div class="ui negative message" role="alert"><p>${escapeHtml(error)}</p></div>` : ''}
<form class="ui form" method="POST" action="/login/?next=${encodeURIComponent(next)}">
  <div class="field"><label for="email">Email</label> <input id="email" name="email" type="email" autocomplete="username" required></div>
  <div class="field"><label for="password">Password</label> <input id="password" name="password" type="password" autocomplete="current-password" required></div>
  <button type="submit" class="ui primary button">Sign in</button>
</form>`,
  );
}

function scopeBoxes(checked: readonly string[] = []): string {
  return SCOPES.map(
    ({ id, help }) => `          <div class="column"><div class="inline field"><div class="ui checkbox">
            <input id="scopes-${id}" name="scopes" value="${id}" type="checkbox"${checked.includes(id) ? ' checked' : ''}>
            <label for="scopes-${id}">${id} <small class="block">${escapeHtml(help)}</small></label>
          </div></div></div>`,
  ).join('\n');
}

function newTokenPage(csrf: string, name = '', nameError?: string): string {
  // On an error the real template leaves a stray `-->` text node just before the red label.
  const error = nameError
    ? `\n        --><div class="ui pointing red basic label"><p>${escapeHtml(nameError)}</p></div>`
    : '';
  return page(
    'New personal access token',
    `<section class="ui segments" aria-label="New personal access token">
  <div class="ui segment secondary"><h2 class="ui tiny header">New personal access token</h2></div>
  <div class="ui segment">
    <form class="ui form" role="form" method="POST">
      <div class="field">
        <label for="name">Token name</label>
        <div class="ui right icon input">
          <input id="name" name="name" type="text" value="${escapeHtml(name)}" maxlength="40" required autofocus>
        </div>${error}
      </div>
      <div class="field">
        <label>Scopes</label>
        <div class="ui grid"><div class="four column stackable tablet-mobile row">
${scopeBoxes()}
        </div></div>
      </div>
      <input id="csrf_token" name="csrf_token" type="hidden" value="${escapeHtml(csrf)}">
      <a href="${SETTINGS}" class="ui labeled icon button">Cancel</a>
      <button type="submit" class="ui labeled icon button primary">Create</button>
    </form>
  </div>
</section>`,
  );
}

function tokenViewPage(token: ZenodoToken, csrf: string, showSecret: boolean): string {
  const shown = showSecret
    ? `  <div class="ui segment">
    <h3 class="ui small header">Access token</h3>
    <code class="word-break-all">${token.accessToken}</code>
    <p class="ui icon info message">Please copy the personal access token now. You won't see it again!</p>
    <p class="ui icon negative message">Do not share this personal access token. It gives full access to your account.</p>
  </div>\n`
    : '';
  const lost = showSecret
    ? ''
    : `    <p class="ui warning message">If you lost or forgot this token, delete it and create a new one.</p>\n`;
  const name = escapeHtml(token.name);
  return page(
    token.name,
    `<section class="ui segments" aria-label="${name}">
  <div class="ui segment secondary">
    <a href="${SETTINGS}">Applications</a> /
    <h2 class="ui tiny header inline-block m-0">${name}</h2>
  </div>
${shown}  <div class="ui segment">
${lost}    <form class="ui form" method="POST" role="form" action="">
      <div class="field"><label for="name">Name</label>
        <input id="name" name="name" type="text" value="${name}" maxlength="40" required></div>
      <div class="field"><label>Scopes</label>
${scopeBoxes(token.scopes)}
      </div>
      <input id="csrf_token" name="csrf_token" type="hidden" value="${escapeHtml(csrf)}">
      <button type="submit" name="delete" class="ui labeled icon button negative">Delete</button>
      <button type="submit" name="save" class="ui labeled icon button primary">Save</button>
    </form>
  </div>
</section>`,
  );
}

function listPage(tokens: ZenodoToken[]): string {
  const items = tokens.map((token) => {
    const scopes = token.scopes.length > 0 ? ` &mdash;\n      <small class="text-muted">${escapeHtml(token.scopes.join(', '))}</small>` : '';
    return `    <li class="ui segment">
      <a href="${SETTINGS}tokens/${token.id}/">${escapeHtml(token.name)}</a>${scopes}<br/><small class="text-muted"></small>
    </li>`;
  });
  const personal = items.length
    ? `  <ul class="ui segments no-style-list no-border no-border-radius-top m-0 p-0">\n${items.join('\n')}\n  </ul>`
    : `  <p class="ui segment">You have not created any personal access tokens.</p>`;
  return page(
    'Applications',
    `<section class="ui segments" aria-label="Developer applications">
  <div class="ui segment secondary">
    <h2 class="ui tiny header inline-block m-0">Developer applications</h2>
    <a class="ui compact tiny button icon basic" href="${SETTINGS}clients/new/">New application</a>
  </div>
  <ul class="ui segments no-style-list m-0 p-0">
    <li class="ui segment"><a href="${SETTINGS}clients/3/">Example client</a></li>
  </ul>
</section>
<section class="ui segments" aria-label="Personal access tokens">
  <div class="ui segment secondary">
    <h2 class="ui tiny header inline-block m-0">Personal access tokens</h2>
    <a class="ui compact tiny button icon basic" href="${NEW_TOKEN}">New token</a>
  </div>
  <p class="ui segment">Personal access tokens let you use the REST API without a password.</p>
${personal}
</section>
<section class="ui segments" aria-label="Authorized applications">
  <a class="header" href="${SETTINGS}tokens/7/view/">Some App</a>
  <a href="${SETTINGS}tokens/7/revoke/" class="ui tiny labeled icon button">Revoke</a>
</section>`,
  );
}

function notFoundPage(): Reply {
  return html(404, page('Page not found', '<h1>Page not found</h1>\n<p>The page you are looking for could not be found.</p>'));
}

/** A redirect target must stay on this site: a relative path, not `//host` or `/\host`. */
function localTarget(value: string | null): string {
  return value && /^\/(?![/\\])/.test(value) ? value : '/';
}

export async function startZenodo(options: { port?: number } = {}): Promise<ZenodoSite> {
  const signingKey = randomBytes(32);
  const sessions = new Map<string, Session>();
  const tokens: StoredToken[] = [];
  /** Ids are one sequence for the whole database; authorized-application tokens hold the first ones. */
  let nextId = 41;

  function userByEmail(email: string): User {
    const user = USERS.find((u) => u.email === email);
    if (!user) throw new Error(`Zenodo emulator: no user ${email}`);
    return user;
  }

  function tokensOf(userId: number): StoredToken[] {
    return tokens.filter((token) => token.userId === userId);
  }

  function create(userId: number, name: string, scopes: string[]): StoredToken {
    const token = { id: nextId++, name, scopes, accessToken: personalSecret(), userId };
    tokens.push(token);
    return token;
  }

  // Flask-WTF's session-bound token: `<raw>.<timestamp>.<signature>`, all base64url.
  function csrfToken(session: Session, now = Date.now()): string {
    const stamp = Buffer.from(String(now)).toString('base64url');
    const body = `${session.csrfRaw}.${stamp}`;
    return `${body}.${createHmac('sha256', signingKey).update(body).digest('base64url')}`;
  }

  function csrfValid(session: Session, value: string | null): boolean {
    const [raw, stamp, signature] = value?.split('.') ?? [];
    if (!raw || !stamp || !signature || raw !== session.csrfRaw) return false;
    const expected = createHmac('sha256', signingKey).update(`${raw}.${stamp}`).digest();
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
    return Date.now() - Number(Buffer.from(stamp, 'base64url').toString()) <= CSRF_MAX_AGE_MS;
  }

  function sessionOf(req: SiteRequest): { user: User; session: Session } | undefined {
    const session = sessions.get(req.cookies[SESSION_COOKIE] ?? '');
    const user = session && USERS.find((u) => u.id === session.userId);
    return session && user ? { user, session } : undefined;
  }

  /** A personal token from `Authorization: Bearer` or `?access_token=`. */
  function tokenUser(req: SiteRequest): User | undefined {
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? req.url.searchParams.get('access_token');
    const token = bearer ? tokens.find((t) => t.accessToken === bearer) : undefined;
    return token && USERS.find((u) => u.id === token.userId);
  }

  function unauthorized(): Reply {
    return json(401, {
      status: 401,
      message:
        "The server could not verify that you are authorized to access the URL requested. You either supplied the wrong credentials (e.g. a bad password), or your browser doesn't understand how to supply the credentials required.",
    });
  }

  /** The token page's POST: `delete` removes it (no CSRF check, as on the real server), else a rename with `save`. */
  function tokenPost(ctx: PageCtx, token: ZenodoToken): Reply {
    const form = new URLSearchParams(ctx.req.body);
    if (form.has('delete')) {
      tokens.splice(tokens.findIndex((t) => t.id === token.id), 1);
      return redirect(SETTINGS);
    }
    const name = form.get('name') ?? '';
    if (csrfValid(ctx.session, form.get('csrf_token')) && name.trim() && [...name].length <= MAX_NAME) token.name = name;
    // Stored scopes win: the scopes sent with a rename change nothing.
    return html(200, tokenViewPage(token, csrfToken(ctx.session), false));
  }

  function ownToken(ctx: PageCtx, id: string): ZenodoToken | undefined {
    return tokensOf(ctx.user.id).find((token) => String(token.id) === id);
  }

  const pages = new Router<PageCtx>()
    .on('GET', SETTINGS, ({ user }) => html(200, listPage(tokensOf(user.id))))
    .on('GET', NEW_TOKEN, ({ session }) => html(200, newTokenPage(csrfToken(session))))
    .on('POST', NEW_TOKEN, (ctx) => {
      const form = new URLSearchParams(ctx.req.body);
      const name = form.get('name') ?? '';
      const scopes = form.getAll('scopes');
      // WTForms: DataRequired and Length(max=40) (Python counts code points) speak; CSRF and scope errors stay silent.
      const nameError = !name.trim()
        ? 'This field is required.'
        : [...name].length > MAX_NAME
          ? `Field cannot be longer than ${MAX_NAME} characters.`
          : undefined;
      const scopesOk = scopes.every((scope) => SCOPES.some((s) => s.id === scope) && !INTERNAL_SCOPES.includes(scope));
      if (nameError || !scopesOk || !csrfValid(ctx.session, form.get('csrf_token'))) {
        return html(200, newTokenPage(csrfToken(ctx.session), name, nameError));
      }
      const token = create(ctx.user.id, name, scopes);
      ctx.session.showToken = true;
      return redirect(`${SETTINGS}tokens/${token.id}/`);
    })
    .on('GET', `${SETTINGS}tokens/:id/`, (ctx, { id }) => {
      const token = ownToken(ctx, id);
      if (!token) return notFoundPage();
      const show = ctx.session.showToken;
      ctx.session.showToken = false;
      return html(200, tokenViewPage(token, csrfToken(ctx.session), show));
    })
    .on('POST', `${SETTINGS}tokens/:id/`, (ctx, { id }) => {
      const token = ownToken(ctx, id);
      return token ? tokenPost(ctx, token) : notFoundPage();
    })
    // These exist for authorized-application tokens only: a personal token's id is a 404 there.
    .on('GET', `${SETTINGS}tokens/:id/view/`, () => notFoundPage())
    .on('GET', `${SETTINGS}tokens/:id/revoke/`, () => notFoundPage());

  const open = new Router<Ctx>()
    .on('GET', '/', ({ req }) => {
      const signedIn = sessionOf(req);
      return html(
        200,
        page(
          'Zenodo',
          signedIn
            ? `<h1>Zenodo</h1>\n<p>Signed in as ${escapeHtml(signedIn.user.email)}.</p>\n<p><a href="${SETTINGS}">Applications</a> · <a href="/logout/">Log out</a></p>`
            : `<h1>Zenodo</h1>\n<p>You are not signed in.</p>\n<p><a href="/login/?next=%2F">Log in</a></p>`,
        ),
      );
    })
    .on('GET', '/login/', ({ req }) => html(200, loginPage(localTarget(req.url.searchParams.get('next')))))
    // No Origin check: browsers post this form with `Origin: null` under a strict Referrer-Policy.
    .on('POST', '/login/', ({ req }) => {
      const form = new URLSearchParams(req.body);
      const next = localTarget(req.url.searchParams.get('next') ?? form.get('next'));
      const user = USERS.find((u) => u.email === form.get('email')?.trim().toLowerCase());
      if (!user || user.password !== form.get('password')) return html(200, loginPage(next, 'Invalid email or password.'));
      const id = randomText(32);
      sessions.set(id, { userId: user.id, csrfRaw: randomText(20), showToken: false });
      return redirect(next, {
        'set-cookie': setCookie(req.url.origin, SESSION_COOKIE, id, { httpOnly: true, sameSite: 'Lax', path: '/', maxAge: SESSION_MAX_AGE }),
      });
    })
    .on('GET', '/logout/', ({ req }) => {
      sessions.delete(req.cookies[SESSION_COOKIE] ?? '');
      return redirect('/', { 'set-cookie': setCookie(req.url.origin, SESSION_COOKIE, '', { httpOnly: true, sameSite: 'Lax', path: '/', maxAge: 0 }) });
    })
    // invenio-accounts: the session counts first, so a bad token beside a good session still passes.
    .on('GET', '/api/me', ({ req }) => {
      const user = sessionOf(req)?.user ?? tokenUser(req);
      if (!user) return unauthorized();
      return json(200, { id: user.id, email: user.email, confirmed_at: '2024-01-02T03:04:05', last_login_at: '2024-06-01T10:00:00', roles: [] });
    })
    .on('GET', '/api/deposit/depositions', ({ req }) => (sessionOf(req)?.user ?? tokenUser(req) ? json(200, []) : unauthorized()));

  function route(req: SiteRequest): Reply | Promise<Reply> {
    const { pathname } = req.url;
    if (pathname.startsWith('/account/settings/')) {
      // Werkzeug's strict slashes: a settings URL without its trailing slash is redirected to it.
      if (!pathname.endsWith('/')) return { status: 308, headers: { location: `${pathname}/${req.url.search}` } };
      const signedIn = sessionOf(req);
      if (!signedIn) return redirect(`/login/?next=${encodeURIComponent(pathname)}`);
      return pages.handle(req.method, pathname, { req, ...signedIn }) ?? notFoundPage();
    }
    if (pathname.startsWith('/api/')) return open.handle(req.method, pathname, { req }) ?? json(404, { status: 404, message: 'The requested URL was not found on the server.' });
    return open.handle(req.method, pathname, { req }) ?? notFoundPage();
  }

  const site = await startSite(async (req) => {
    const reply = await route(req);
    return { ...reply, headers: { 'x-frame-options': 'sameorigin', 'x-content-type-options': 'nosniff', ...reply.headers } };
  }, options);

  return {
    ...site,
    tokens: (email) => tokensOf(userByEmail(email).id).map(publicToken),
    addToken: (email, name, scopes = []) => publicToken(create(userByEmail(email).id, name, scopes)),
    expireCsrfTokens() {
      for (const session of sessions.values()) session.csrfRaw = randomText(20);
    },
  };
}

/** Signs in over HTTP like the login form does; returns the `Cookie` header value for later requests. */
export async function signIn(site: Pick<Site, 'origin'>, email: string, password: string): Promise<string> {
  return postForCookies(`${site.origin}/login/?next=%2F`, new URLSearchParams({ email, password }), {
    expect: 302,
    label: `Zenodo sign-in as ${email}`,
  });
}

export const demo: DemoSite = {
  id: 'zenodo',
  name: 'Zenodo',
  port: 4304,
  signInPath: `/login/?next=${encodeURIComponent(SETTINGS)}`,
  logins: [
    { user: 'demo@example.org', password: 'demo123' },
    { user: 'jane@example.org', password: 'jane123' },
  ],
  start: (port) => startZenodo({ port }),
  // Signed in is wherever `next` leads, off the login page.
  signIn: (tab, origin, login) => signInThroughForm(tab, 'Email', login, (url) => url.origin === origin && !url.pathname.startsWith('/login')),
  async verify(origin, secret) {
    const response = await fetch(`${origin}/api/me`, { headers: { Authorization: `Bearer ${secret}`, Accept: 'application/json' } });
    if (response.status !== 200) throw new Error(`/api/me answered ${response.status}`);
    const { email } = (await response.json()) as { email: string };
    return email;
  },
};
