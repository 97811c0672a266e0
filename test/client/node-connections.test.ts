import type { IncomingMessage, ServerResponse } from 'node:http';
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

describe.each(['xhr-polling', 'jsonp-polling'] as const)('Node client, many %s sessions to one host', (transport) => {
  it('holds a poll for each of 80 sessions at once: no per-host socket cap', async () => {
    const server = track(await startServer({}, (socket) => socket.send('hello')));
    let held = 0;
    server.http.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (!/\/v1\/(poll|jsonp)\?/.test(req.url ?? '')) return;
      held++;
      res.once('close', () => held--);
    });
    const clients = Array.from({ length: 80 }, () => connectClient(server.origin, { transports: [transport] }));
    await waitFor(() => clients.every((c) => c.received.length === 1), 'a message on all 80 sessions');
    // a capped agent (64 sockets per host) would keep the other polls queued in the client
    await waitFor(() => held === 80, '80 polls held at once', 5_000);
    expect(server.ferry.sessionCount).toBe(80);
    for (const c of clients) c.socket.close();
  });
});
