import { describe, expect, it } from 'vitest';
import { closeAfterEach, connectClient, range, recordRequests, startServer, waitFor } from '../support/harness.js';
import { STREAMING } from '../support/transports.js';

// What every transport does (forced, burst, batching, resume) is in transports.test.ts and
// resume.test.ts; this is what only the streaming transports do.

const track = closeAfterEach();

describe.each(STREAMING)('forced %s', (transport, route) => {
  it('reopens the stream after the byte limit with nothing lost or repeated', async () => {
    const serverGot: number[] = [];
    const server = track(
      await startServer({ streamByteLimit: 4096 }, (socket) => {
        socket.on('message', (data) => {
          serverGot.push((data as { n: number }).n);
          socket.send(data);
        });
      }),
    );
    const requests = recordRequests(server);
    const client = connectClient(server.origin, { transports: [transport] });
    client.socket.on('open', () => range(500).forEach((n) => client.socket.send({ n, pad: 'x'.repeat(40) })));
    await waitFor(() => client.received.length >= 500, '500 echoes', 20_000);
    await new Promise((resolve) => setTimeout(resolve, 100)); // room for a duplicate to show up
    expect(serverGot).toEqual(range(500));
    expect(client.received.map((v) => (v as { n: number }).n)).toEqual(range(500));
    expect(requests.filter((url) => url.includes(route + '?')).length).toBeGreaterThan(3);
    expect(client.socket.transport).toBe(transport);
    client.socket.close();
  });
});
