// A WebSocket join for a session that is gone is accepted and closed with 4001 (server/gone-session.ts),
// so a client on WebSocket alone can read why; a peer that never answers that close (or any close
// the server starts) is cut after CLOSE_TIMEOUT_MS, not after ws's 30 s.
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { CLOSE_TIMEOUT_MS } from '../../server/websocket-server.js';
import { closeAfterEach, startServer } from '../support/harness.js';

const track = closeAfterEach();

describe('a WebSocket join for a session that is gone', () => {
  it('is closed with 4001 "session expired", not refused with an HTTP status a page cannot read', async () => {
    const server = track(await startServer());
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ferry/v1/ws?sid=nope&t=nope&e=1`);
    const closed = await new Promise<{ code: number; reason: string }>((resolve, reject) => {
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
      ws.on('unexpected-response', () => reject(new Error('the upgrade was refused with HTTP')));
    });
    expect(closed).toEqual({ code: 4001, reason: 'session expired' });
    expect(server.ferry.metrics().httpErrors).toEqual({ unknown_session: 1 });
  });

  it('cannot hold its connection by never answering the close: cut after CLOSE_TIMEOUT_MS', async () => {
    const server = track(await startServer());
    const socket = net.connect(server.port, '127.0.0.1');
    track({ close: async () => void socket.destroy() });
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      'GET /ferry/v1/ws?sid=nope&t=nope&e=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    const started = Date.now();
    // reads the 101 and the close frame, and never sends a close frame back
    await new Promise((resolve) => socket.once('close', resolve));
    const heldFor = Date.now() - started;
    expect(received).toMatch(/^HTTP\/1\.1 101 /);
    expect(received).toContain('session expired');
    expect(heldFor).toBeGreaterThanOrEqual(CLOSE_TIMEOUT_MS - 100);
    expect(heldFor).toBeLessThan(CLOSE_TIMEOUT_MS + 2_000);
  });
});
