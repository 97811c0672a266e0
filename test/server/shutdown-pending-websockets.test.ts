// `ferry.close()` ends the WebSockets that are no session's transport yet, with 4000: a probe joining a
// session that never sends `upgrade` (or whose `upgrade` is on the way), and a direct connection
// still waiting for its `auth` frame.
// `ws` tracks no clients here, so without this they stayed open after the close and kept the
// HTTP server from closing until the peer went away.
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { closeAfterEach, once, startServer } from '../support/harness.js';
import { rawHandshake } from '../support/raw-session.js';

const track = closeAfterEach();

function opened(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url);
  track({ close: async () => ws.terminate() });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** Resolves with what the HTTP server's `close` callback got: true once every connection is gone. */
function httpClosed(server: { http: import('node:http').Server }): Promise<boolean> {
  return new Promise((resolve) => server.http.close(() => resolve(true)));
}

describe('ferry.close() ends WebSockets that are no session transport yet', () => {
  it('a probe that never upgrades is closed, and the HTTP server can close', async () => {
    const server = track(await startServer());
    const hs = (await (await fetch(`${server.origin}/ferry/v1/handshake`, { method: 'POST' })).json()) as { sid: string; token: string };
    const probe = await opened(`ws://127.0.0.1:${server.port}/ferry/v1/ws?sid=${hs.sid}&t=${hs.token}&e=2`);
    const probeClosed = once(probe, 'close');
    await server.ferry.close();
    await probeClosed;
    expect(probe.readyState).toBe(WebSocket.CLOSED);
    // the probe was the only connection left: nothing keeps the HTTP server open now
    expect(await httpClosed(server)).toBe(true);
  });

  it('a direct WebSocket waiting for its auth frame is closed, and no session is created', async () => {
    const server = track(await startServer());
    server.ferry.use(() => ({ user: 'x' }));
    const ws = await opened(`ws://127.0.0.1:${server.port}/ferry/v1/ws`);
    const closed = once(ws, 'close');
    await server.ferry.close();
    await closed;
    expect(server.ferry.sessionCount).toBe(0);
    expect(server.sockets).toEqual([]);
    expect(await httpClosed(server)).toBe(true);
  });

  it('a WebSocket that became a transport is not cut: its client hears the shutdown', async () => {
    const server = track(await startServer());
    const ws = await opened(`ws://127.0.0.1:${server.port}/ferry/v1/ws`);
    const packets: string[] = [];
    ws.on('message', (data) => packets.push(String(data)));
    const [code] = await new Promise<[number]>((resolve) => {
      ws.once('close', (c: number) => resolve([c]));
      const ready = setInterval(() => {
        if (packets.length > 0) {
          clearInterval(ready);
          void server.ferry.close();
        }
      }, 5);
    });
    expect(code).toBe(4000);
    expect(packets.some((p) => p.includes('server shutting down'))).toBe(true);
  });

  it('a WebSocket that joined a session but is no transport yet (its upgrade on the way) is closed with 4000, so the client learns the session ended', async () => {
    const server = track(await startServer());
    const { sid, token } = await rawHandshake(server);
    const ws = await opened(`ws://127.0.0.1:${server.port}/ferry/v1/ws?sid=${sid}&t=${token}&e=2`);
    const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    ws.send('[["probe","p"]]');
    await new Promise((resolve) => ws.once('message', resolve)); // the probe's answer: the client would switch now
    await server.ferry.close();
    expect(await closed).toEqual({ code: 4000, reason: 'server shutting down' });
  });
});
