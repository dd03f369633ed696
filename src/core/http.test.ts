import { describe, expect, test } from 'vitest';
import { SiteError } from './errors.ts';
import { commonFailure, errorDetail, readJson } from './http.ts';
import type { PageResponse } from './page-request.ts';

function response(status: number, body: string, headers: Record<string, string> = {}): PageResponse {
  return { status, body, headers };
}

function thrown(run: () => unknown): SiteError {
  try {
    run();
  } catch (error) {
    if (error instanceof SiteError) return error;
    throw error;
  }
  throw new Error('nothing was thrown');
}

describe('readJson', () => {
  test('reads JSON whatever JSON media type labels it', () => {
    const body = '{"data":[]}';
    expect(readJson('Site', response(200, body, { 'content-type': 'application/vnd.gooddata.api+json' }))).toEqual({ data: [] });
    expect(readJson('Site', response(200, body, { 'content-type': 'text/plain' }))).toEqual({ data: [] });
  });

  test('names a web page as the likely sign-in page or proxy', () => {
    const error = thrown(() => readJson('Site', response(200, '<!DOCTYPE html><p>Log in', { 'content-type': 'text/html' })));
    expect(error.user.code).toBe('unexpected-response');
    expect(error.user.sentence).toContain('web page instead of data');
  });

  test('reports garbage and an empty body as unreadable', () => {
    for (const body of ['{"data":', '', 'null-ish']) {
      expect(thrown(() => readJson('Site', response(200, body))).user.sentence).toBe('Site sent an answer Tokenmint could not read.');
    }
  });
});

describe('commonFailure', () => {
  test('429 tells how long to wait when the site says', () => {
    expect(commonFailure('Site', response(429, '', { 'retry-after': '30' })).user.next).toBe('Wait 30 seconds and try again.');
    expect(commonFailure('Site', response(429, '')).user.next).toBe('Wait a minute and try again.');
  });

  test('5xx is a server error with the status and the site’s own words', () => {
    const error = commonFailure('Site', response(503, '{"detail":"Maintenance window."}'));
    expect(error.user).toMatchObject({ code: 'server', sentence: 'Site had a server error (503). Site says: Maintenance window.' });
  });

  test('an HTML 502 from a proxy does not leak its markup', () => {
    const error = commonFailure('Site', response(502, '<html><body><h1>Bad Gateway</h1></body></html>', { 'content-type': 'text/html' }));
    expect(error.user.sentence).toBe('Site had a server error (502).');
  });

  test.each([
    [403, 'forbidden'],
    [404, 'not-found'],
    [422, 'invalid'],
    [200, 'unexpected-response'],
  ])('%i is %s', (status, code) => {
    expect(commonFailure('Site', response(status, 'x')).user.code).toBe(code);
  });
});

describe('errorDetail', () => {
  test.each([
    ['RFC 7807 detail', '{"title":"Bad","detail":"Name is too long."}', 'Name is too long'],
    ['a message', '{"message":"Current user is not logged in"}', 'Current user is not logged in'],
    ['GitLab’s errors list (422)', '{"errors":["Name has already been taken"]}', 'Name has already been taken'],
    ['several errors, the first three joined', '{"errors":["Name can\'t be blank","Scopes can\'t be blank","c","d"]}', "Name can't be blank; Scopes can't be blank; c"],
    ['GraphQL’s and JSON:API’s error objects', '{"errors":[{"message":"Not allowed."},{"status":"422","detail":"Scope unknown"}]}', 'Not allowed; Scope unknown'],
  ])('reads %s', (_, body, detail) => {
    expect(errorDetail(response(422, body))).toBe(detail);
  });

  test.each([
    ['an errors list of nothing readable', '{"errors":[{"code":7},null,"",["x"]]}'],
    ['an errors object', '{"errors":{"name":["taken"]}}'],
    ['a list body', '["taken"]'],
    ['text', 'Name has already been taken'],
  ])('finds nothing in %s', (_, body) => {
    expect(errorDetail(response(422, body))).toBeUndefined();
  });

  test('a site’s 422 says GitLab’s own words in the sentence', () => {
    const error = commonFailure('GitLab', response(422, '{"errors":["Expiration date is invalid"]}'));
    expect(error.user.sentence).toBe('GitLab refused the request (422). GitLab says: Expiration date is invalid.');
  });
});
