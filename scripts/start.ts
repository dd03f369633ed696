// `npm start`: every emulated site on a fixed loopback port, a site picker page, and Chromium with dist-test/.
//   With a display (DISPLAY or WAYLAND_DISPLAY): a browser window at the site picker; runs until Ctrl+C or until
//   the browser is closed.
//   Without one (CI, containers) or with TOKENMINT_HEADLESS=1: one demo mint per site through the popup, screenshots
//   in artifacts/screenshots/<site>-popup.png and <site>-reveal.png; exits 0, or 1 naming the step that failed.
// Ports: site picker 127.0.0.1:4300 (TOKENMINT_PORT_PICKER), GoodData 127.0.0.1:4301 (TOKENMINT_PORT_GOODDATA).
import { resolve } from 'node:path';
import { launchExtension, type Extension } from '../test/e2e/extension.ts';
import { assignSite } from '../test/e2e/site-override.ts';
import { emulatedSites, recipeEmulatedSites } from '../test/sites/index.ts';
import { escapeHtml, html, startSite, text, type Site } from '../test/sites/harness.ts';
import { runDemos, type RunningSite } from './demo.ts';

const SITES = [...emulatedSites, ...recipeEmulatedSites].map((entry) => entry.demo);

const PICKER_PORT = 4300;
const dist = resolve('dist-test');
const screenshots = resolve('artifacts/screenshots');
const headless = process.env.TOKENMINT_HEADLESS === '1' || !(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);

/** `TOKENMINT_PORT_GOODDATA`, `TOKENMINT_PORT_RECIPE_SENTRY`: an environment variable name, whatever the id holds. */
const portVariable = (id: string) => `TOKENMINT_PORT_${id.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;

function portFor(id: string, fallback: number): number {
  const name = portVariable(id);
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${name}=${value} is not a port number`);
  return port;
}

/** Starts a server on the port configured for `id`, explaining a port that is taken. */
async function listen<T>(id: string, fallback: number, start: (port: number) => Promise<T>): Promise<T> {
  const port = portFor(id, fallback);
  try {
    return await start(port);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    throw new Error(`127.0.0.1:${port} (${id}) is in use, by another npm start? Set ${portVariable(id)} to use another port.`);
  }
}

function pickerPage(sites: RunningSite[]): string {
  const rows = sites.map(({ demo, site }) => {
    const logins = demo.logins
      .map((l) => `<code>${escapeHtml(l.user)}</code> / <code>${escapeHtml(l.password)}</code>${l.note ? ` (${escapeHtml(l.note)})` : ''}`)
      .join('<br>');
    return `<tr><th scope="row">${escapeHtml(demo.name)}</th><td><a href="${escapeHtml(site.origin + demo.signInPath)}">Sign in to ${escapeHtml(demo.name)}</a><br><small>${escapeHtml(site.origin)}</small></td><td>${logins}</td></tr>`;
  });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tokenmint · emulated sites</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem}table{border-collapse:collapse;width:100%}
th,td{text-align:left;vertical-align:top;padding:.5rem .75rem;border-bottom:1px solid #cfdad8}small{color:#5b6b68}a{color:#0b7a70}</style></head>
<body><main><h1>Tokenmint · emulated sites</h1>
<ol><li>Sign in on a site below with one of its logins.</li>
<li>Click the Tokenmint button in the toolbar (pin it from the puzzle-piece menu if it is hidden).</li>
<li>Name the token, then <b>Generate token</b>.</li></ol>
<table><thead><tr><th>Site</th><th>Sign in</th><th>Logins</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table></main></body></html>`;
}

const started = Date.now();
const servers: Site[] = [];
let ext: Extension | undefined;
let stopping: Promise<never> | undefined;

/** Closes the browser (removing its profile) and the sites, once, whoever asks first; then exits with `code`. */
function stop(code: number): Promise<never> {
  stopping ??= (async () => {
    await ext?.close().catch(() => {});
    await Promise.all(servers.map((server) => server.close().catch(() => {})));
    process.exit(code);
  })();
  return stopping;
}
process.once('SIGINT', () => void stop(130));
process.once('SIGTERM', () => void stop(143));

try {
  const running: RunningSite[] = [];
  for (const demo of SITES) {
    const site = await listen(demo.id, demo.port, demo.start);
    servers.push(site);
    running.push({ demo, site });
  }
  const picker = await listen('picker', PICKER_PORT, (port) =>
    startSite((req) => (req.url.pathname === '/' ? html(200, pickerPage(running)) : text(404, 'Not Found')), { port }),
  );
  servers.push(picker);
  const pickerUrl = `${picker.origin}/`;

  console.log(`Tokenmint demo sites (${headless ? 'headless demo' : 'browser window'}):`);
  console.log(`  site picker  ${pickerUrl}`);
  for (const { demo, site } of running) {
    const logins = demo.logins.map((l) => `${l.user} / ${l.password}`).join(', ');
    console.log(`  ${demo.name.padEnd(11)}  ${site.origin}${demo.signInPath}  logins: ${logins}`);
  }

  ext = await launchExtension(dist, { headless });
  // The recipe sites run on 127.0.0.1 like a self-hosted install on a host of its own: assigned as a user does it.
  for (const { demo, site } of running.filter(({ demo }) => demo.id.startsWith('recipe:'))) {
    await assignSite(ext, site.origin, demo.name);
  }
  if (headless) {
    const ok = await runDemos(ext, running, pickerUrl, screenshots);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (ok) console.log(`All ${running.length} demo mint(s) worked in ${seconds} s; screenshots in ${screenshots}/`);
    else console.error(`npm start: a demo mint failed (after ${seconds} s); screenshots taken so far are in ${screenshots}/`);
    await stop(ok ? 0 : 1);
  } else {
    const page = ext.context.pages()[0] ?? (await ext.context.newPage());
    await page.goto(pickerUrl);
    console.log('Chromium is open at the site picker. Ctrl+C (or closing the browser) stops everything.');
    ext.context.on('close', () => void stop(0));
  }
} catch (error) {
  console.error(`npm start failed: ${error instanceof Error ? error.message : String(error)}`);
  await stop(1);
}
