import { describe, expect, it } from 'vitest';
import { memoGets } from './memo-client.ts';
import type { PageClient } from './page-client.ts';
import type { PageRequest } from './page-request.ts';

function countingClient(): PageClient & { sent: PageRequest[] } {
  const sent: PageRequest[] = [];
  return {
    origin: 'https://site.example',
    sent,
    async request(request) {
      sent.push(request);
      return { status: 200, headers: {}, body: `answer ${sent.length}` };
    },
  };
}

describe('memoGets', () => {
  it('sends an identical GET once, and both callers get its answer', async () => {
    const inner = countingClient();
    const client = memoGets(inner);
    const [first, second] = await Promise.all([
      client.request({ method: 'GET', path: '/api/me', headers: { Accept: 'application/json' } }),
      client.request({ method: 'GET', path: '/api/me', headers: { Accept: 'application/json' } }),
    ]);
    expect(inner.sent).toHaveLength(1);
    expect(second).toBe(first);
    expect(client.origin).toBe(inner.origin);
  });

  it('sends GETs that differ in path, headers or credentials separately', async () => {
    const inner = countingClient();
    const client = memoGets(inner);
    await client.request({ method: 'GET', path: '/api/me' });
    await client.request({ method: 'GET', path: '/api/me?x=1' });
    await client.request({ method: 'GET', path: '/api/me', headers: { Authorization: 'Bearer a' } });
    await client.request({ method: 'GET', path: '/api/me', credentials: 'omit' });
    expect(inner.sent.map((request) => request.path)).toEqual(['/api/me', '/api/me?x=1', '/api/me', '/api/me']);
  });

  it('never reuses a write', async () => {
    const inner = countingClient();
    const client = memoGets(inner);
    const post: PageRequest = { method: 'POST', path: '/api/tokens', body: '{}' };
    const answers = [await client.request(post), await client.request(post)];
    expect(inner.sent).toHaveLength(2);
    expect(answers[0]!.body).not.toBe(answers[1]!.body);
  });

  it('shares a failed GET too, rather than asking again within the same pass', async () => {
    let calls = 0;
    const client = memoGets({
      origin: 'https://site.example',
      request: () => {
        calls++;
        return Promise.reject(new Error('network'));
      },
    });
    await expect(client.request({ method: 'GET', path: '/a' })).rejects.toThrow('network');
    await expect(client.request({ method: 'GET', path: '/a' })).rejects.toThrow('network');
    expect(calls).toBe(1);
  });
});
