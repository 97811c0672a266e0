import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../../protocol/index.js';
import { closeAfterEach, connectClient, startServer, waitFor } from '../support/harness.js';
import { ALL_TRANSPORTS } from '../support/transports.js';

const track = closeAfterEach();
const MAX = 4096;

describe.each(ALL_TRANSPORTS)('a message above maxMessageSize queued before open, forced %s', (transport) => {
  it('is reported by a dropped event at the handshake; the session goes on and the rest arrive in order, with no gap', async () => {
    const server = track(await startServer({ maxMessageSize: MAX }));
    const client = connectClient(server.origin, { transports: [transport] });
    const dropped: Array<[JsonValue | Uint8Array, string]> = [];
    const events: string[] = [];
    client.socket.on('open', () => events.push('open'));
    client.socket.on('dropped', (data, reason) => {
      events.push('dropped');
      dropped.push([data, reason]);
    });
    const big = 'x'.repeat(MAX);
    const bigBytes = new Uint8Array(MAX).fill(7);
    // queued before the client knows the limit: send returns, nothing throws
    expect(client.socket.send({ n: 1 })).toBe(true);
    expect(client.socket.send({ big })).toBe(true);
    expect(client.socket.send({ n: 2 })).toBe(true);
    expect(client.socket.send(bigBytes)).toBe(true);
    expect(client.socket.send({ n: 3 })).toBe(true);
    await waitFor(() => client.received.length === 3, 'the small messages echoed');
    expect(client.received).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(dropped).toEqual([
      [{ big }, 'message exceeds the server maxMessageSize'],
      [bigBytes, 'message exceeds the server maxMessageSize'],
    ]);
    expect(events).toEqual(['open', 'dropped', 'dropped']);
    // the session is the same one, still open, and carries on
    expect(client.closes).toEqual([]);
    expect(server.sockets).toHaveLength(1);
    client.socket.send({ n: 4 });
    await waitFor(() => client.received.length === 4, 'a later echo');
    expect(client.received[3]).toEqual({ n: 4 });
    expect(server.sockets).toHaveLength(1);
    expect(client.socket.state).toBe('open');
    client.socket.close();
  });
});
