import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { connect, type ClientSocket } from '../../client/index.js';
import { Server, type ServerOptions } from '../../server/index.js';
import { waitFor } from '../support/harness.js';
import { startServerProcess } from '../support/server-process-parent.js';

/** Everything a test started, stopped after it. */
let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  const steps = cleanup.reverse();
  cleanup = [];
  for (const step of steps) await step();
});

/**
 * An app's HTTP server on 127.0.0.1, on `port` or a free one. Its own routes answer 404, or with
 * `refuse` what a server refusing for good answers (403 with a Ferry error body).
 */
async function appServer(port = 0, refuse?: () => boolean): Promise<http.Server> {
  const server = http.createServer((_req, res) => {
    if (refuse?.()) {
      res.writeHead(403, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: 'origin_not_allowed', message: 'origin http://elsewhere is not allowed' }));
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('not found');
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  cleanup.push(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return server;
}

function attachFerry(server: http.Server, options: ServerOptions = {}): Server {
  const ferry = new Server({ path: '/ferry', ...options });
  ferry.attach(server);
  ferry.on('connection', (socket) => socket.on('message', (data) => socket.send(data)));
  cleanup.push(() => ferry.close());
  return ferry;
}

/** The socket's open and close events, in order, as text. */
function record(socket: ClientSocket): string[] {
  const events: string[] = [];
  socket.on('open', () => events.push('open'));
  socket.on('close', (reason, { renewing }) => events.push(`close ${renewing ? 'renewing' : 'final'}: ${reason}`));
  return events;
}

const FAST = { reconnectDelay: 50, reconnectDelayMax: 200 };

describe('after the server shuts down, renewing: true', () => {
  it('is followed by open on a Ferry attached again later, after handshakes answered 503 server_closed meanwhile', async () => {
    const app = await appServer();
    const ferry = attachFerry(app);
    const socket = connect(`http://127.0.0.1:${(app.address() as AddressInfo).port}/ferry`, FAST);
    cleanup.push(() => socket.close());
    const events = record(socket);
    // on WebSocket the server's goodbye reaches the client whenever it comes (a poll may be between requests)
    await waitFor(() => events.length === 1 && socket.transport === 'websocket', 'open, on WebSocket');
    let refusedWhileGone = 0;
    app.on('request', (req: http.IncomingMessage) => {
      if (req.url?.startsWith('/ferry/v1/handshake')) refusedWhileGone++;
    });
    await ferry.close();
    await waitFor(() => refusedWhileGone >= 3, 'handshakes retried while Ferry is gone');
    attachFerry(app);
    await waitFor(() => events.length === 3, 'a second open');
    expect(events[0]).toBe('open');
    expect(events[1]).toMatch(/^close renewing: /); // the goodbye, or the session's absence noticed
    expect(events[2]).toBe('open');
    const echoed: unknown[] = [];
    socket.on('message', (data) => echoed.push(data));
    socket.send({ after: 'restart' });
    await waitFor(() => echoed.length === 1, 'an echo on the new session');
    expect(echoed).toEqual([{ after: 'restart' }]);
  });

  it('is followed by open on a new server started on the same port a little later (connections refused meanwhile)', async () => {
    const first = await appServer();
    const port = (first.address() as AddressInfo).port;
    const ferry = attachFerry(first);
    const socket = connect(`http://127.0.0.1:${port}/ferry`, FAST);
    cleanup.push(() => socket.close());
    const events = record(socket);
    // on WebSocket the server's goodbye reaches the client whenever it comes (a poll may be between requests)
    await waitFor(() => events.length === 1 && socket.transport === 'websocket', 'open, on WebSocket');
    await ferry.close();
    first.closeAllConnections();
    await new Promise<void>((resolve) => first.close(() => resolve()));
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(events).toHaveLength(2); // retrying meanwhile, not given up
    expect(events[1]).toMatch(/^close renewing: /);
    attachFerry(await appServer(port));
    await waitFor(() => events.length === 3, 'open on the new server');
    expect(events[0]).toBe('open');
    expect(events[1]).toMatch(/^close renewing: /); // the goodbye, or the session's absence noticed
    expect(events[2]).toBe('open');
    expect(socket.state).toBe('open');
  });

  it('ends in one final close when the server that comes back refuses the client for good (403)', async () => {
    const first = await appServer();
    const port = (first.address() as AddressInfo).port;
    const ferry = attachFerry(first);
    const socket = connect(`http://127.0.0.1:${port}/ferry`, FAST);
    cleanup.push(() => socket.close());
    const events = record(socket);
    // on WebSocket the server's goodbye reaches the client whenever it comes (a poll may be between requests)
    await waitFor(() => events.length === 1 && socket.transport === 'websocket', 'open, on WebSocket');
    await ferry.close();
    first.closeAllConnections();
    await new Promise<void>((resolve) => first.close(() => resolve()));
    await appServer(port, () => true);
    await waitFor(() => events.length === 3, 'the final close');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(events).toHaveLength(3);
    expect(events[1]).toMatch(/^close renewing: /);
    expect(events[2]).toMatch(/^close final: handshake refused: .*origin/);
    expect(socket.state).toBe('closed');
  });
});

describe('after the server dies without a goodbye', () => {
  it('a client on WebSocket alone renews as soon as a server answers again (its join closed with 4001), not when its resume window runs out', async () => {
    const crashing = await startServerProcess({ resumeWindow: 60_000 });
    cleanup.push(() => crashing.close());
    const socket = connect(`http://127.0.0.1:${crashing.port}/ferry`, { ...FAST, transports: ['websocket'] });
    cleanup.push(() => socket.close());
    const events = record(socket);
    await waitFor(() => events.length === 1, 'open');
    // a message each way: the session is established, its resume window a minute
    const echoed: unknown[] = [];
    socket.on('message', (data) => echoed.push(data));
    socket.send('hello');
    await waitFor(() => echoed.length === 1, 'the echo');
    const first = socket.id;
    await crashing.close(); // SIGKILL
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(events).toEqual(['open']); // resuming (its joins refused at the TCP level), not renewed
    const restartedAt = Date.now();
    attachFerry(await appServer(crashing.port));
    await waitFor(() => events.length === 3, 'close and open on the new server', 5_000);
    expect(events).toEqual(['open', 'close renewing: session expired', 'open']);
    expect(Date.now() - restartedAt).toBeLessThan(2_000);
    expect(socket.id).not.toBe(first);
    expect(socket.transport).toBe('websocket');
  });
});
