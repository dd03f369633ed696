import { execFileSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { copyText, formatsFor, type CopyFormat, type CopySource } from './copy-formats.ts';

// Realistic sources, one per site, as the panel builds them from each adapter (core never imports sites: plain data).

const GOODDATA_SECRET = 'ZGVtbzp0b2tlbm1pbnQtMjAyNjExMjItYWIxMjpGblVZbjFralJvcnYzNWRDRCtpZjN3Y1pjeVpLRm1DWg==';
const gooddata: CopySource = {
  secret: GOODDATA_SECRET,
  origin: 'https://acme.cloud.gooddata.com',
  header: { name: 'Authorization', value: `Bearer ${GOODDATA_SECRET}` },
  check: {
    method: 'GET',
    path: '/api/v1/profile',
    headers: { 'X-Requested-With': 'XMLHttpRequest', Accept: 'application/json', Authorization: `Bearer ${GOODDATA_SECRET}` },
    credentials: 'omit',
  },
  envName: 'GOODDATA_API_TOKEN',
};

const CDS_SECRET =
  'eyJhbGciOiJSUzUxMiIsInR5cCI6IkpXVCJ9.eyJpZCI6IjBiMWMtNGQyZSIsImlzcyI6ImNkcyIsImV4cCI6MTc5MDAwMDAwMH0.' +
  'kP3x_Qm-7vR2sT9uW0yZ1aB4cD6eF8gH';
const cds: CopySource = {
  secret: CDS_SECRET,
  origin: 'https://cds.example.com',
  check: {
    method: 'POST',
    path: '/cdsapi/auth/consumer/builtin/signin',
    headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
    body: JSON.stringify({ token: CDS_SECRET }),
    credentials: 'omit',
  },
  envName: 'CDS_TOKEN',
};

const FRAPPE_SECRET = '8c41e0f2a9b7d35:3f9a1c0b7d2e4a6';
const frappe: CopySource = {
  secret: FRAPPE_SECRET,
  origin: 'https://erp.example.org',
  header: { name: 'Authorization', value: `token ${FRAPPE_SECRET}` },
  check: {
    method: 'GET',
    path: '/api/method/frappe.auth.get_logged_user',
    headers: { Accept: 'application/json', Authorization: `token ${FRAPPE_SECRET}` },
    credentials: 'omit',
  },
  envName: 'FRAPPE_API_TOKEN',
};

const INSIGHTIO_SECRET = '3f9a1c0b7d2e4a6f'.repeat(16); // 256 hex characters, as the site makes them
const insightio: CopySource = {
  secret: INSIGHTIO_SECRET,
  origin: 'https://insight.io',
  header: { name: 'X-Auth-Token', value: INSIGHTIO_SECRET },
  check: {
    method: 'GET',
    path: '/api/user/profile',
    headers: { Accept: 'application/json', 'X-Requested-With': 'XMLHttpRequest', 'X-Auth-Token': INSIGHTIO_SECRET },
    credentials: 'omit',
  },
  envName: 'INSIGHTIO_TOKEN',
};

const ZENODO_SECRET = 'Xq7Lw2RZt9bK4mVn1cYp8HsJd3GfA6uE0oTiW5yQkN7xB2vCjM9lPzS4rUeD';
const zenodo: CopySource = {
  secret: ZENODO_SECRET,
  origin: 'https://zenodo.org',
  header: { name: 'Authorization', value: `Bearer ${ZENODO_SECRET}` },
  check: {
    method: 'GET',
    path: '/api/me',
    headers: { Accept: 'application/json', Authorization: `Bearer ${ZENODO_SECRET}` },
    credentials: 'omit',
  },
  envName: 'ZENODO_TOKEN',
};

// ---------------------------------------------------------------------------------------------------------------------
// The shell, as the user's would run the text: `curl` is a function that prints its argv, so nothing is fetched.

function curlArgv(command: string): string[] {
  const script = 'curl() { printf "%s\\0" "$@"; }; eval "$1"';
  const out = execFileSync('bash', ['--noprofile', '--norc', '-c', script, 'bash', command], { encoding: 'utf8' });
  expect(out.endsWith('\0')).toBe(true);
  return out.slice(0, -1).split('\0');
}

/** The value a `.env` line gives its variable when a shell sources it (`set -a; . ./.env`). */
function sourcedValue(line: string, name: string): string {
  const script = 'set -a; eval "$1"; printf "%s" "${!2}"';
  return execFileSync('bash', ['--noprofile', '--norc', '-c', script, 'bash', line, name], { encoding: 'utf8' });
}

// ---------------------------------------------------------------------------------------------------------------------

describe('formatsFor', () => {
  test('offers the header format only where the credential is sent as a header', () => {
    expect(formatsFor(gooddata)).toEqual(['raw', 'header', 'curl', 'env']);
    expect(formatsFor(frappe)).toEqual(['raw', 'header', 'curl', 'env']);
    expect(formatsFor(insightio)).toEqual(['raw', 'header', 'curl', 'env']);
    expect(formatsFor(zenodo)).toEqual(['raw', 'header', 'curl', 'env']);
    expect(formatsFor(cds)).toEqual(['raw', 'curl', 'env']);
  });

  test('does not depend on the secret: the panel asks with an empty one', () => {
    expect(formatsFor({ ...gooddata, secret: '' })).toEqual(formatsFor(gooddata));
    expect(formatsFor({ ...cds, secret: '' })).toEqual(formatsFor(cds));
  });
});

describe('raw', () => {
  test('is the secret exactly', () => {
    for (const source of [gooddata, cds, frappe, insightio, zenodo]) expect(copyText('raw', source)).toBe(source.secret);
    expect(copyText('raw', { ...gooddata, secret: ` it's "odd" $x ` })).toBe(` it's "odd" $x `);
  });
});

describe('header', () => {
  test('is "Name: value"', () => {
    expect(copyText('header', gooddata)).toBe(`Authorization: Bearer ${GOODDATA_SECRET}`);
    expect(copyText('header', frappe)).toBe('Authorization: token 8c41e0f2a9b7d35:3f9a1c0b7d2e4a6');
    expect(copyText('header', insightio)).toBe(`X-Auth-Token: ${INSIGHTIO_SECRET}`);
    expect(copyText('header', zenodo)).toBe(`Authorization: Bearer ${ZENODO_SECRET}`);
  });

  test('is refused where there is no header', () => {
    expect(() => copyText('header', cds)).toThrow();
  });
});

describe('curl', () => {
  test('GoodData: a GET with its headers, the URL last', () => {
    const command = copyText('curl', gooddata);
    expect(command).toBe(
      "curl -sS -H 'X-Requested-With: XMLHttpRequest' -H 'Accept: application/json' " +
        `-H 'Authorization: Bearer ${GOODDATA_SECRET}' 'https://acme.cloud.gooddata.com/api/v1/profile'`,
    );
    expect(curlArgv(command)).toEqual([
      '-sS',
      '-H',
      'X-Requested-With: XMLHttpRequest',
      '-H',
      'Accept: application/json',
      '-H',
      `Authorization: Bearer ${GOODDATA_SECRET}`,
      'https://acme.cloud.gooddata.com/api/v1/profile',
    ]);
  });

  test('CDS: a POST with the sign-in token in a JSON body', () => {
    const command = copyText('curl', cds);
    expect(command).toBe(
      "curl -sS -X 'POST' -H 'Accept: application/json' -H 'Content-Type: application/json' " +
        `--data-raw '{"token":"${CDS_SECRET}"}' 'https://cds.example.com/cdsapi/auth/consumer/builtin/signin'`,
    );
    expect(curlArgv(command)).toEqual([
      '-sS',
      '-X',
      'POST',
      '-H',
      'Accept: application/json',
      '-H',
      'Content-Type: application/json',
      '--data-raw',
      `{"token":"${CDS_SECRET}"}`,
      'https://cds.example.com/cdsapi/auth/consumer/builtin/signin',
    ]);
  });

  test('Frappe: the key pair in the token header', () => {
    const command = copyText('curl', frappe);
    expect(command).toBe(
      "curl -sS -H 'Accept: application/json' -H 'Authorization: token 8c41e0f2a9b7d35:3f9a1c0b7d2e4a6' " +
        "'https://erp.example.org/api/method/frappe.auth.get_logged_user'",
    );
    expect(curlArgv(command)).toEqual([
      '-sS',
      '-H',
      'Accept: application/json',
      '-H',
      'Authorization: token 8c41e0f2a9b7d35:3f9a1c0b7d2e4a6',
      'https://erp.example.org/api/method/frappe.auth.get_logged_user',
    ]);
  });

  test('Insight.io: the hex token in X-Auth-Token', () => {
    const command = copyText('curl', insightio);
    expect(command).toBe(
      "curl -sS -H 'Accept: application/json' -H 'X-Requested-With: XMLHttpRequest' " +
        `-H 'X-Auth-Token: ${INSIGHTIO_SECRET}' 'https://insight.io/api/user/profile'`,
    );
    expect(curlArgv(command)).toEqual([
      '-sS',
      '-H',
      'Accept: application/json',
      '-H',
      'X-Requested-With: XMLHttpRequest',
      '-H',
      `X-Auth-Token: ${INSIGHTIO_SECRET}`,
      'https://insight.io/api/user/profile',
    ]);
  });

  test('Zenodo: a bearer token against /api/me', () => {
    expect(copyText('curl', zenodo)).toBe(
      `curl -sS -H 'Accept: application/json' -H 'Authorization: Bearer ${ZENODO_SECRET}' 'https://zenodo.org/api/me'`,
    );
  });

  test("a ' in a header, the body or the path is closed, escaped and reopened: '\\''", () => {
    const source: CopySource = {
      ...cds,
      origin: 'https://cds.example.com',
      check: {
        method: 'PUT',
        path: "/o'brien?q=it's",
        headers: { 'X-Note': "it's" },
        body: "{\"name\":\"O'Brien\"}",
      },
    };
    const command = copyText('curl', source);
    expect(command).toBe(
      "curl -sS -X 'PUT' -H 'X-Note: it'\\''s' --data-raw '{\"name\":\"O'\\''Brien\"}' 'https://cds.example.com/o'\\''brien?q=it'\\''s'",
    );
    expect(curlArgv(command)).toEqual([
      '-sS',
      '-X',
      'PUT',
      '-H',
      "X-Note: it's",
      '--data-raw',
      '{"name":"O\'Brien"}',
      "https://cds.example.com/o'brien?q=it's",
    ]);
  });

  test('nothing in a secret is run or expanded by the shell', () => {
    const secret = "a$(echo pwned)`id`${HOME}\\\"b'c;d&&e|f>g *?[x]!h\ti";
    const source: CopySource = {
      ...gooddata,
      secret,
      check: { method: 'POST', path: '/api/check', headers: { Authorization: `Bearer ${secret}` }, body: secret },
    };
    const command = copyText('curl', source);
    expect(command).not.toContain('\n');
    expect(curlArgv(command)).toEqual([
      '-sS',
      '-X',
      'POST',
      '-H',
      `Authorization: Bearer ${secret}`,
      '--data-raw',
      secret,
      'https://acme.cloud.gooddata.com/api/check',
    ]);
  });

  test('a request without headers or body is just the URL', () => {
    const command = copyText('curl', { ...zenodo, check: { method: 'GET', path: '/api/me' } });
    expect(command).toBe("curl -sS 'https://zenodo.org/api/me'");
    expect(curlArgv(command)).toEqual(['-sS', 'https://zenodo.org/api/me']);
  });

  test('an empty body is still sent', () => {
    const command = copyText('curl', { ...cds, check: { method: 'POST', path: '/x', body: '' } });
    expect(command).toBe("curl -sS -X 'POST' --data-raw '' 'https://cds.example.com/x'");
    expect(curlArgv(command)).toEqual(['-sS', '-X', 'POST', '--data-raw', '', 'https://cds.example.com/x']);
  });
});

describe('env', () => {
  test.each<[string, CopySource, string]>([
    ['GoodData (base64 with + and =)', gooddata, `GOODDATA_API_TOKEN=${GOODDATA_SECRET}`],
    ['CDS (a JWS)', cds, `CDS_TOKEN=${CDS_SECRET}`],
    ['Frappe (key:secret)', frappe, 'FRAPPE_API_TOKEN=8c41e0f2a9b7d35:3f9a1c0b7d2e4a6'],
    ['Insight.io (hex)', insightio, `INSIGHTIO_TOKEN=${INSIGHTIO_SECRET}`],
    ['Zenodo', zenodo, `ZENODO_TOKEN=${ZENODO_SECRET}`],
  ])('%s: unquoted, as the secret needs no quotes', (_site, source, line) => {
    expect(copyText('env', source)).toBe(line);
    expect(sourcedValue(line, source.envName)).toBe(source.secret);
  });

  test('every plain character stays unquoted', () => {
    const secret = 'AZaz09_./+=:@-';
    expect(copyText('env', { ...frappe, secret })).toBe(`FRAPPE_API_TOKEN=${secret}`);
  });

  test.each<[string, string, string]>([
    ['a space', 'ab cd', 'X="ab cd"'],
    ['a double quote', 'ab"cd', 'X="ab\\"cd"'],
    ['a dollar', 'ab$cd', 'X="ab\\$cd"'],
    ['a backtick', 'ab`cd`', 'X="ab\\`cd\\`"'],
    ['a backslash', 'ab\\cd', 'X="ab\\\\cd"'],
    ['a single quote', "ab'cd", 'X="ab\'cd"'],
    ['a hash', 'ab#cd', 'X="ab#cd"'],
    ['an empty secret', '', 'X=""'],
    ['all at once', 'a "b" $c `d` \\e #f', 'X="a \\"b\\" \\$c \\`d\\` \\\\e #f"'],
  ])('%s: double-quoted with \\, ", $ and backtick escaped', (_case, secret, line) => {
    const source: CopySource = { ...gooddata, secret, envName: 'X' };
    expect(copyText('env', source)).toBe(line);
    expect(sourcedValue(line, 'X')).toBe(secret);
  });
});

test('every format yields text for every site', () => {
  for (const source of [gooddata, cds, frappe, insightio, zenodo]) {
    for (const format of formatsFor(source) satisfies CopyFormat[]) expect(copyText(format, source)).not.toBe('');
  }
});
