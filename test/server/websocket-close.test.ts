import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { closeAfterEach, startServer, waitFor } from '../support/harness.js';

const track = closeAfterEach();

/** A direct WebSocket session, open (its `open` frame received). */
async function directSession(port: number): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ferry/v1/ws`);
  await new Promise<void>((resolve, reject) => {
    ws.once('message', () => resolve());
    ws.once('error', reject);
  });
  return ws;
}

describe('a client closing its WebSocket', () => {
  it.each([
    ['without a status code', undefined],
    ['with 1000', 1000],
  ])('%s says goodbye: the session ends', async (_label, code) => {
    const server = track(await startServer());
    const ws = await directSession(server.port);
    await waitFor(() => server.sockets.length === 1, 'connection');
    const reasons: string[] = [];
    server.sockets[0].on('close', (reason) => reasons.push(reason));
    ws.close(code);
    await waitFor(() => reasons.length === 1, 'session end');
    expect(reasons).toEqual(['client closed']);
    expect(server.ferry.sessionCount).toBe(0);
  });

  it('with 4012 (transport closed) leaves the session waiting to be resumed', async () => {
    const server = track(await startServer());
    const ws = await directSession(server.port);
    await waitFor(() => server.sockets.length === 1, 'connection');
    const closed = new Promise((resolve) => ws.once('close', resolve));
    ws.close(4012);
    await closed;
    await waitFor(() => !server.sockets[0].connected, 'detached');
    expect(server.ferry.sessionCount).toBe(1);
  });
});
