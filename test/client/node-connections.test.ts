import { describe, expect, it } from 'vitest';
import { closeAfterEach, connectClient, recordRequests, startServer, waitFor } from '../support/harness.js';

const track = closeAfterEach();

describe.each(['xhr-polling', 'jsonp-polling'] as const)('Node client, %s', (transport) => {
  it('long-polls over one keep-alive connection: each poll reuses the connection the last one answered on', async () => {
    const server = track(
      await startServer({}, (socket) => {
        // one message at a time, each in its own poll response
        let n = 0;
        const timer = setInterval(() => {
          socket.send({ n: ++n });
          if (n === 8) clearInterval(timer);
        }, 25);
      }),
    );
    let connections = 0;
    server.http.on('connection', () => connections++);
    const requests = recordRequests(server);
    const client = connectClient(server.origin, { transports: [transport] });
    await waitFor(() => client.received.length === 8, 'eight messages');
    const polls = requests.filter((url) => url.includes(transport === 'xhr-polling' ? '/v1/poll?' : '/v1/jsonp?')).length;
    expect(polls).toBeGreaterThanOrEqual(8);
    // the handshake and every poll on the same connection (before: polls alternated between two)
    expect(connections).toBe(1);
    client.socket.close();
  });
});
