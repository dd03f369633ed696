/**
 * A recipe's origin patterns (`https://git.example.com`, `*://*.example.com:8443`): whether one is narrow enough to
 * accept, whether a tab's origin matches it, and the host permission it needs.
 */

interface Pattern {
  scheme: 'http' | 'https' | '*';
  /** The host, or for `*.domain` the domain. */
  host: string;
  wildcard: boolean;
  port?: string;
}

const PATTERN = /^(https?|\*):\/\/(\*\.)?([a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(?::([1-9]\d{0,4}))?$/;

/** The pattern's parts, or null for one a recipe may not use: malformed, or `*.` on fewer than two labels. */
function parse(text: string): Pattern | null {
  const match = PATTERN.exec(text);
  if (!match) return null;
  const [, scheme, star, host, port] = match;
  if (star && host!.split('.').length < 2) return null;
  if (port && Number(port) > 65_535) return null;
  const pattern: Pattern = { scheme: scheme as Pattern['scheme'], host: host!, wildcard: Boolean(star) };
  if (port) pattern.port = port;
  return pattern;
}

export function isOriginPattern(text: string): boolean {
  return parse(text) !== null;
}

/** Whether `origin` (`scheme://host[:port]`, as `URL.origin` writes it) is one the pattern names; no port: any port. */
export function matchesOrigin(text: string, origin: string): boolean {
  const pattern = parse(text);
  if (!pattern) return false;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  const scheme = url.protocol.slice(0, -1);
  if (scheme !== 'http' && scheme !== 'https') return false;
  if (pattern.scheme !== '*' && pattern.scheme !== scheme) return false;
  if (pattern.port && pattern.port !== (url.port || (scheme === 'https' ? '443' : '80'))) return false;
  return pattern.wildcard ? url.hostname.endsWith(`.${pattern.host}`) : url.hostname === pattern.host;
}

/** The host permission (a match pattern) that lets the extension reach the pattern's origins; any port of the host. */
export function permissionFor(text: string): string | null {
  const pattern = parse(text);
  return pattern && `${pattern.scheme}://${pattern.wildcard ? '*.' : ''}${pattern.host}/*`;
}
