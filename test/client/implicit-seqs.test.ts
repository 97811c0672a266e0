import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { closeAfterEach, connectClient, range, sequenceOf, startServer, waitFor } from '../support/harness.js';
import { streamBothWays } from '../support/streams.js';
import { TcpProxy } from '../support/tcp-proxy.js';

const track = closeAfterEach();

afterEach(() => {
  vi.restoreAllMocks();
});

/** The first element after the type of every message frame in the text packets each socket sent, per socket. */
function recordSeqs(): Map<WebSocket, number[]> {
  const sent = new Map<WebSocket, number[]>();
  const send = WebSocket.prototype.send;
  vi.spyOn(WebSocket.prototype, 'send').mockImplementation(function (this: WebSocket, data: unknown, ...rest: unknown[]) {
    if (typeof data === 'string' && data.startsWith('[[')) {
      const seqs = sent.get(this) ?? [];
      for (const frame of JSON.parse(data) as unknown[][]) if (frame[0] === 'm') seqs.push(frame[1] as number);
      sent.set(this, seqs);
    }
    return (send as (...args: unknown[]) => void).call(this, data, ...rest);
  });
  return sent;
}

describe('implicit sequence numbers between the Node client and the server', () => {
  it('both sides send seq 0 after the first message on each socket, and nothing is lost or doubled across cuts', async () => {
    const sent = recordSeqs();
    const server = track(await startServer({}, () => {}));
    const proxy = track(await new TcpProxy(server.port).listen());
    const client = connectClient(proxy.origin, { transports: ['websocket'], reconnectDelay: 20 });
    await waitFor(() => server.sockets.length === 1 && client.socket.state === 'open', 'connection');
    const streams = streamBothWays(client, server.sockets[0], 900, 2);
    for (const threshold of [300, 600]) {
      await waitFor(() => client.received.length >= threshold, `${threshold} received`, 20_000);
      proxy.cutAll();
    }
    await waitFor(() => client.received.length === 900 && streams.serverGot.length === 900, 'both streams', 30_000);
    expect(sequenceOf(client.received)).toEqual(range(900));
    expect(streams.serverGot).toEqual(range(900));
    client.socket.close();

    // client sockets have a URL, the server's do not; three connections at least on each side
    const sides = { client: [] as number[][], server: [] as number[][] };
    for (const [ws, seqs] of sent) if (seqs.length > 0) (ws.url ? sides.client : sides.server).push(seqs);
    for (const perSocket of [sides.client, sides.server]) {
      expect(perSocket.length).toBeGreaterThanOrEqual(3);
      for (const seqs of perSocket) {
        // each socket states where it starts, then counts on
        expect(seqs[0]).toBeGreaterThan(0);
        expect(seqs.slice(1).filter((seq) => seq !== 0)).toEqual([]);
      }
    }
  });
});
