import { describe, expect, it } from 'vitest';
import { closeAfterEach, startServer } from '../support/harness.js';
import { RawConnection } from '../support/raw-http.js';

const track = closeAfterEach();

const GOOD: Record<string, string> = {
  Host: '127.0.0.1',
  Connection: 'Upgrade',
  Upgrade: 'websocket',
  'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
  'Sec-WebSocket-Version': '13',
};

/** Sends an upgrade request to the direct-session route with `GOOD`'s headers changed by `change`. */
async function upgrade(port: number, change: Record<string, string | null>, method = 'GET'): Promise<RawConnection> {
  const headers = { ...GOOD, ...change };
  let text = `${method} /ferry/v1/ws HTTP/1.1\r\n`;
  for (const [name, value] of Object.entries(headers)) if (value !== null) text += `${name}: ${value}\r\n`;
  const conn = new RawConnection(port);
  track({ close: async () => conn.destroy() });
  await conn.write(text + '\r\n');
  return conn;
}

describe('a malformed WebSocket upgrade gets a JSON error before ws sees it', () => {
  it.each([
    ['a short Sec-WebSocket-Key', { 'Sec-WebSocket-Key': 'c2hvcnQ=' }],
    ['a Sec-WebSocket-Key that is not base64', { 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZ!Bub25jZQ==' }],
    ['no Sec-WebSocket-Key', { 'Sec-WebSocket-Key': null }],
    ['an empty Sec-WebSocket-Protocol entry', { 'Sec-WebSocket-Protocol': 'chat,,superchat' }],
    ['a trailing comma in Sec-WebSocket-Protocol', { 'Sec-WebSocket-Protocol': 'chat,' }],
    ['a space inside a subprotocol name', { 'Sec-WebSocket-Protocol': 'my chat' }],
    ['a separator in a subprotocol name', { 'Sec-WebSocket-Protocol': 'chat/1' }],
    ['a subprotocol named twice', { 'Sec-WebSocket-Protocol': 'chat, chat' }],
    ['an Upgrade other than websocket', { Upgrade: 'chat' }],
  ])('%s: 400 bad_request, connection closed, no session', async (_name, change) => {
    const server = track(await startServer());
    const res = await (await upgrade(server.port, change)).responseThenClose();
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(res.body)).toMatchObject({ error: 'bad_request', message: expect.any(String) });
    expect(res.closed).toBe(true);
    expect(server.ferry.sessionCount).toBe(0);
    expect(server.sockets).toEqual([]);
  });

  it.each([
    ['version 8', '8'],
    ['version 14', '14'],
    ['a version that is not a number', 'x'],
    ['no version', null],
  ])('%s: 426 with Sec-WebSocket-Version: 13 (RFC 6455 4.4), no session', async (_name, version) => {
    const server = track(await startServer());
    const res = await (await upgrade(server.port, { 'Sec-WebSocket-Version': version })).responseThenClose();
    expect(res.status).toBe(426);
    expect(res.headers['sec-websocket-version']).toBe('13');
    expect(JSON.parse(res.body)).toMatchObject({ error: 'unsupported_websocket_version' });
    expect(res.closed).toBe(true);
    expect(server.ferry.sessionCount).toBe(0);
  });

  it('a POST upgrade: 405 method_not_allowed', async () => {
    const server = track(await startServer());
    const res = await (await upgrade(server.port, {}, 'POST')).responseThenClose();
    expect(res.status).toBe(405);
    expect(JSON.parse(res.body)).toMatchObject({ error: 'method_not_allowed' });
    expect(res.closed).toBe(true);
    expect(server.ferry.sessionCount).toBe(0);
  });

  it('a well-formed upgrade with subprotocols is still accepted', async () => {
    const server = track(await startServer());
    const conn = await upgrade(server.port, { 'Sec-WebSocket-Protocol': 'chat,\tsuper-chat ,x.v1' });
    await conn.until(() => conn.received.includes('\r\n\r\n'), 5000);
    expect(conn.received.toString('latin1')).toMatch(/^HTTP\/1\.1 101 /);
    expect(conn.received.toString('latin1')).toMatch(/Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=/i);
    expect(server.ferry.sessionCount).toBe(1);
  });
});
