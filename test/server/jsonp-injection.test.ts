import { describe, expect, it } from 'vitest';
import request from 'supertest';
import { decodeJsonpBody } from '../../protocol/index.js';
import { closeAfterEach, startServer } from '../support/harness.js';
import { query, rawHandshake } from '../support/raw-session.js';

const track = closeAfterEach();

/** Payloads that would run code, end the string or close a script if they came out unescaped. */
const HOSTILE = [
  '</script><script>globalThis.pwned=1</script>',
  '</SCRIPT ><img src=x onerror=alert(1)>',
  '"); globalThis.pwned=1; //',
  '\\"); globalThis.pwned=1; //',
  '\u2028globalThis.pwned=1\u2029',
  'line\u2028separator\u2029paragraph',
  '<!-- <script>',
  '-->',
  ']]>"); alert(1); ("',
  '&lt;script&gt;&amp;',
  "'); alert(1); ('",
];

/** What a JSONP response body must look like: one call of our callback with one escaped string. */
const STRICT_BODY = /^\/\*\*\/__ferry_jsonp_\d+\("(?:[^"\\<>&\u2028\u2029]|\\.)*"\);$/;

const HOSTILE_NAMES = [
  'alert(1)',
  'a;b',
  '</script>',
  '__ferry_jsonp_1.x',
  '__ferry_jsonp_1;alert(1)',
  '__ferry_jsonp_' + '1'.repeat(13),
  '',
  '__ferry_jsonp_',
  '__ferry_jsonp_١٢', // Arabic-Indic digits
  '__ferry_jsonp_1\u2028',
  '__ferry_jsonp_1\n',
  ' __ferry_jsonp_1',
  'x__ferry_jsonp_1',
  '__FERRY_JSONP_1',
  'ferry_jsonp_1',
];

/**
 * Runs a JSONP body the way a script tag would, with a stub callback, and reports what it passed
 * and whether anything else happened (a global written, alert called).
 */
function evaluate(body: string, callback: string): { calls: unknown[][]; sideEffects: string[] } {
  const calls: unknown[][] = [];
  const sideEffects: string[] = [];
  const g = globalThis as Record<string, unknown>;
  const globalsBefore = new Set(Object.keys(g));
  g.alert = () => sideEffects.push('alert called');
  try {
    new Function(callback, body)((...args: unknown[]) => calls.push(args));
  } finally {
    delete g.alert;
  }
  for (const key of Object.keys(g)) if (!globalsBefore.has(key)) sideEffects.push(`global ${key} written`);
  if (g.pwned !== undefined) sideEffects.push('pwned');
  delete g.pwned;
  return { calls, sideEffects };
}

/** The message payloads in a packet's text. */
function messages(packetText: string): unknown[] {
  return (JSON.parse(packetText) as unknown[][]).filter((frame) => frame[0] === 'm').map((frame) => frame[2]);
}

describe('JSONP callback names', () => {
  it.each(HOSTILE_NAMES.map((name) => [JSON.stringify(name), name]))('poll refuses %s with 400 JSON, never sanitising it', async (_label, name) => {
    const server = track(await startServer());
    const hs = await rawHandshake(server);
    const res = await request(server.http).get(`/ferry/v1/jsonp?${query(hs, '&e=1&ack=0')}&cb=${encodeURIComponent(name)}`);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.body.error).toBe('bad_request');
  });

  it.each(HOSTILE_NAMES.map((name) => [JSON.stringify(name), name]))('handshake refuses %s with 400 JSON and creates no session', async (_label, name) => {
    const server = track(await startServer());
    const res = await request(server.http).get(`/ferry/v1/handshake?transport=jsonp-polling&cb=${encodeURIComponent(name)}`);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body.error).toBe('bad_request');
    expect(server.ferry.sessionCount).toBe(0);
  });

  it('a poll without cb is refused too', async () => {
    const server = track(await startServer());
    const hs = await rawHandshake(server);
    const res = await request(server.http).get(`/ferry/v1/jsonp?${query(hs, '&e=1&ack=0')}`);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('bad_request');
  });
});

describe('JSONP output', () => {
  // each request names the page that made the script tag (a Referer on the server's origin), as a browser does
  it('escapes hostile payloads: one strict call that reproduces them exactly and does nothing else', async () => {
    const server = track(await startServer({}, (socket) => HOSTILE.forEach((text) => socket.send(text))));
    const hs = await rawHandshake(server);
    const res = await request(server.http).get(`/ferry/v1/jsonp?${query(hs, '&e=1&ack=0')}&cb=__ferry_jsonp_42`).set('Referer', server.origin + '/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/javascript; charset=utf-8');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['cache-control']).toContain('no-store');
    expect(res.text).toMatch(STRICT_BODY);
    expect(res.text.startsWith('/**/__ferry_jsonp_42("')).toBe(true);

    const { calls, sideEffects } = evaluate(res.text, '__ferry_jsonp_42');
    expect(sideEffects).toEqual([]);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toHaveLength(1);
    expect(messages(calls[0][0] as string)).toEqual(HOSTILE);
    // the Node client's decoder reads the same text without evaluating anything
    expect(decodeJsonpBody(res.text, '__ferry_jsonp_42')).toBe(calls[0][0]);
  });

  it('escapes each hostile payload alone, in its own response', async () => {
    for (const text of HOSTILE) {
      const server = track(await startServer({}, (socket) => socket.send(text)));
      const hs = await rawHandshake(server);
      const res = await request(server.http).get(`/ferry/v1/jsonp?${query(hs, '&e=1&ack=0')}&cb=__ferry_jsonp_7`).set('Referer', server.origin + '/');
      expect(res.text).toMatch(STRICT_BODY);
      expect(res.text).not.toMatch(/[<>&\u2028\u2029]/);
      const { calls, sideEffects } = evaluate(res.text, '__ferry_jsonp_7');
      expect(sideEffects).toEqual([]);
      expect(messages(calls[0][0] as string)).toEqual([text]);
      await server.close();
    }
  });

  it('echoes hostile payloads sent by form POST back escaped', async () => {
    const server = track(await startServer());
    const hs = await rawHandshake(server);
    const packet = JSON.stringify(HOSTILE.map((text, i) => ['m', i + 1, text]));
    const sent = await request(server.http)
      .post(`/ferry/v1/send?${query(hs)}`)
      .type('form')
      .send(new URLSearchParams({ d: packet }).toString());
    expect(sent.status).toBe(200);
    expect(sent.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(sent.headers['x-content-type-options']).toBe('nosniff');
    const res = await request(server.http).get(`/ferry/v1/jsonp?${query(hs, '&e=1&ack=0')}&cb=__ferry_jsonp_9`).set('Referer', server.origin + '/');
    expect(res.text).toMatch(STRICT_BODY);
    const { calls, sideEffects } = evaluate(res.text, '__ferry_jsonp_9');
    expect(sideEffects).toEqual([]);
    expect(messages(calls[0][0] as string)).toEqual(HOSTILE);
  });

  it('writes the JSONP handshake the same strict way', async () => {
    const server = track(await startServer());
    const res = await request(server.http).get('/ferry/v1/handshake?transport=jsonp-polling&cb=__ferry_jsonp_3').set('Referer', server.origin + '/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/javascript; charset=utf-8');
    expect(res.text).toMatch(STRICT_BODY);
    const { calls, sideEffects } = evaluate(res.text, '__ferry_jsonp_3');
    expect(sideEffects).toEqual([]);
    const hs = JSON.parse(calls[0][0] as string) as { sid: string; token: string };
    expect(server.sockets[0].id).toBe(hs.sid);
    expect(hs.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });
});
