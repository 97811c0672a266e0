import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../../protocol/index.js';
import { closeAfterEach, connectClient, range, recordRequests, startServer, waitFor } from '../support/harness.js';
import { EVERY_KIND } from '../support/transports.js';

// What every transport does (forced, burst, batching, resume) is in transports.test.ts and
// resume.test.ts; this is how jsonp-polling uses HTTP.

const track = closeAfterEach();

/**
 * Sends `values` from a client forced onto jsonp-polling, waits for every echo, closes, and
 * returns every request the server saw, as `METHOD path content-type`.
 */
async function exchange(values: Array<JsonValue | Uint8Array>): Promise<string[]> {
  const server = track(await startServer());
  const requests = recordRequests(server, (req) => `${req.method} ${req.url ?? ''} ${req.headers['content-type'] ?? ''}`);
  const client = connectClient(server.origin, { transports: ['jsonp-polling'] });
  client.socket.on('open', () => values.forEach((value) => client.socket.send(value)));
  await waitFor(() => client.received.length === values.length, 'echoes');
  expect(client.received).toEqual(values);
  client.socket.close();
  return requests;
}

describe('forced jsonp-polling', () => {
  it('uses a script-tag handshake and polls and form sends, never XHR polls or raw-packet sends', async () => {
    const requests = await exchange(EVERY_KIND);
    expect(requests[0]).toMatch(/^GET \/ferry\/v1\/handshake\?transport=jsonp-polling&cb=__ferry_jsonp_\d+ $/);
    const polls = requests.filter((r) => r.includes('/v1/jsonp?'));
    expect(polls.length).toBeGreaterThan(0);
    for (const poll of polls) expect(poll).toMatch(/^GET .*&cb=__ferry_jsonp_\d+/);
    const sends = requests.filter((r) => r.includes('/v1/send?') && r.endsWith('application/x-www-form-urlencoded'));
    expect(sends.length).toBeGreaterThan(0);
    expect(requests.filter((r) => r.includes('/v1/poll?'))).toEqual([]);
    // the goodbye on close() is the socket's own raw POST (see the report): everything else is a form
    expect(requests.filter((r) => r.includes('/v1/send?') && !r.endsWith('application/x-www-form-urlencoded')).length).toBeLessThanOrEqual(1);
  });

  it('uses a fresh callback name for every script request', async () => {
    const server = track(await startServer());
    const requests = recordRequests(server, (req) => `${req.method} ${req.url ?? ''}`);
    const client = connectClient(server.origin, { transports: ['jsonp-polling'] });
    await waitFor(() => client.socket.state === 'open', 'open');
    // one at a time: every echo needs a poll of its own, so there are at least six script requests
    for (const n of range(5)) {
      client.socket.send({ n });
      await waitFor(() => client.received.length === n, `echo ${n}`);
    }
    client.socket.close();
    const names = requests.filter((r) => r.startsWith('GET ')).map((r) => /cb=(__ferry_jsonp_\d+)/.exec(r)?.[1]);
    expect(names.length).toBeGreaterThanOrEqual(6);
    expect(names.every((name) => name !== undefined)).toBe(true);
    expect(new Set(names).size).toBe(names.length);
  });
});
