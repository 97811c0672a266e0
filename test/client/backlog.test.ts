import { describe, expect, it } from 'vitest';
import type { TransportName } from '../../protocol/index.js';
import { closeAfterEach, connectClient, startServer, waitFor } from '../support/harness.js';

const track = closeAfterEach();

describe.each(['websocket', 'eventsource', 'xhr-streaming', 'iframe-streaming'] as TransportName[])('a backlog over %s', (transport) => {
  it('far larger than one batch is written out at once, not one batch per ping', async () => {
    // 3,000 messages of ~200 bytes: ~600 KB, many batches; pings are an hour apart
    const server = track(
      await startServer({ pingInterval: 3_600_000, streamByteLimit: 16 * 1024 * 1024 }, (socket) => {
        socket.on('message', () => {
          for (let n = 1; n <= 3000; n++) socket.send({ n, pad: 'x'.repeat(180) });
        });
      }),
    );
    const client = connectClient(server.origin, { transports: [transport] });
    client.socket.on('open', () => client.socket.send('go'));
    await waitFor(() => client.received.length === 3000, 'the whole backlog', 5000);
    expect(client.received.map((m) => (m as { n: number }).n)).toEqual(Array.from({ length: 3000 }, (_, i) => i + 1));
    client.socket.close();
  });
});
