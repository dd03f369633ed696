import type { PageRequest } from './page-request.ts';

/**
 * The ways a secret can be copied: as is, as the header a client sends, as a `curl` command that checks it, and as a
 * `.env` line. Pure and given plain data: the caller reads the site adapter (its check request, header and variable).
 */

export type CopyFormat = 'raw' | 'header' | 'curl' | 'env';

export interface CopySource {
  secret: string;
  /** The site's origin, e.g. `https://acme.cloud.gooddata.com`; the check request's path is appended to it. */
  origin: string;
  /** The header a client sends the secret in; absent where the credential is not a header. */
  header?: { name: string; value: string };
  /** The who-am-I that checks the secret alone (the site's `checkRequest`). */
  check: PageRequest;
  /** The variable a `.env` line names. */
  envName: string;
}

/** The formats that make sense for this source, in the order they are offered. */
export function formatsFor(source: CopySource): CopyFormat[] {
  return source.header ? ['raw', 'header', 'curl', 'env'] : ['raw', 'curl', 'env'];
}

export function copyText(format: CopyFormat, source: CopySource): string {
  switch (format) {
    case 'raw':
      return source.secret;
    case 'header':
      if (!source.header) throw new Error('This credential is not sent as a header.');
      return `${source.header.name}: ${source.header.value}`;
    case 'curl':
      return curlCommand(source.origin, source.check);
    case 'env':
      return envLine(source.envName, source.secret);
  }
}

/** One POSIX shell word: single quotes keep everything literal, and a `'` closes, escapes and reopens them. */
function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * `curl -sS [-X METHOD] [-H 'Name: value']… [--data-raw 'body'] 'URL'`: every value single-quoted, so the command runs
 * as is in any POSIX shell whatever the secret holds. Cookies are never part of it: the check stands on the secret.
 */
function curlCommand(origin: string, check: PageRequest): string {
  const words = ['curl', '-sS'];
  if (check.method !== 'GET') words.push('-X', shellQuote(check.method));
  for (const [name, value] of Object.entries(check.headers ?? {})) words.push('-H', shellQuote(`${name}: ${value}`));
  if (check.body !== undefined) words.push('--data-raw', shellQuote(check.body));
  words.push(shellQuote(origin + check.path));
  return words.join(' ');
}

/** Characters a `.env` value may hold unquoted, in dotenv parsers and in a shell that sources the file alike. */
const ENV_PLAIN = /^[A-Za-z0-9_./+=:@-]+$/;

/** `NAME=value`, double-quoted (with `\`, `"`, `$` and backtick escaped) when the value holds anything else. */
function envLine(name: string, secret: string): string {
  if (ENV_PLAIN.test(secret)) return `${name}=${secret}`;
  return `${name}="${secret.replace(/[\\"$`]/g, '\\$&')}"`;
}
