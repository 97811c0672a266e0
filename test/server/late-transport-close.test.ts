// A transport that reaches a session after it ended is told how it ended. The close frame itself
// may have gone out on the transport the client had just given up (a poll, while its WebSocket
// upgrade was on the way), so without this the client heard only "session closed" (4001) and took
// a `socket.close()` by the app for a lost session.
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { closeAfterEach, startServer } from '../support/harness.js';
import { query, rawHandshake } from '../support/raw-session.js';

const track = closeAfterEach();

function joinSocket(port: number, q: string): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ferry/v1/ws?${q}&e=2`);
  track({ close: async () => ws.terminate() });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function closeOf(ws: WebSocket): Promise<{ code: number; reason: string; packets: string[] }> {
  const packets: string[] = [];
  ws.on('message', (data) => packets.push(String(data)));
  return new Promise((resolve) => ws.once('close', (code: number, reason: Buffer) => resolve({ code, reason: String(reason), packets })));
}

describe('a transport that arrives after the session ended', () => {
  it('a WebSocket upgrading a session the app closed meanwhile hears the app close (1000 "server closed"), not 4001', async () => {
    const server = track(await startServer());
    const hs = await rawHandshake(server);
    const ws = await joinSocket(server.port, query(hs));
    const closed = closeOf(ws);
    server.sockets[0].close();
    ws.send(JSON.stringify([['upgrade', 0]]));
    const { code, reason, packets } = await closed;
    expect(code).toBe(1000);
    expect(reason).toBe('server closed');
    expect(packets.join('')).toContain('server closed');
  });

  it('one that ended for its resume window hears that (4010), so its client starts a new session', async () => {
    const server = track(await startServer({ resumeWindow: 200 }));
    const hs = await rawHandshake(server);
    const ws = await joinSocket(server.port, query(hs));
    const closed = closeOf(ws);
    await new Promise<void>((resolve) => server.sockets[0].on('close', () => resolve()));
    ws.send(JSON.stringify([['upgrade', 0]]));
    const { code } = await closed;
    expect(code).toBe(4010);
  });
});
