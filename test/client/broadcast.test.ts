import { describe, expect, it } from 'vitest';
import { connect } from '../../client/index.js';
import type { JsonValue, ServerOptions, Socket, TransportName } from '../../server/index.js';
import { closeAfterEach, connectClient, range, startServer, waitFor, type RecordingClient } from '../support/harness.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { ALL_TRANSPORTS } from '../support/transports.js';

const track = closeAfterEach();

/** Room for a thousand sessions from one address. */
const MANY: ServerOptions = { addressHandshakeBurst: 5000, addressHandshakeRate: 5000, handshakeBurst: 5000, handshakeRate: 5000, maxSessionsPerAddress: 5000 };

/** A client of `url` (with the app's query) that records its messages and closes. */
function recordingClient(url: string, transport: TransportName): RecordingClient {
  const socket = connect(url, { transports: [transport] });
  const client: RecordingClient = { socket, received: [], transports: [], closes: [] };
  socket.on('message', (data) => client.received.push(data));
  socket.on('close', (reason) => client.closes.push(reason));
  return client;
}

function closeClients(clients: RecordingClient[]): { close(): Promise<void> } {
  return { close: async () => clients.forEach((c) => c.socket.close()) };
}

describe('broadcast to 1,000 sessions', () => {
  it('every member gets every broadcast once and in order, interleaved with direct sends, on every transport', async () => {
    const server = track(await startServer(MANY, (socket) => socket.join(['all', Number(socket.handshake.query.i) % 2 === 0 ? 'even' : 'odd'])));
    const clients: RecordingClient[] = [];
    track(closeClients(clients));
    const http = ALL_TRANSPORTS.filter((t) => t !== 'websocket');
    for (let i = 0; i < 1000; i++) {
      // the first ones on each HTTP transport (two each), the rest over WebSocket
      const transport = i < http.length * 2 ? http[i % http.length] : 'websocket';
      clients.push(recordingClient(`${server.origin}/ferry?i=${i}`, transport));
      if (i % 100 === 99) await waitFor(() => server.sockets.length === i + 1, `${i + 1} sessions`, 30_000);
    }
    await waitFor(() => clients.every((c) => c.socket.state === 'open'), 'every client open', 30_000);
    expect(server.ferry.sockets('all')).toHaveLength(1000);
    expect(server.ferry.sockets('even')).toHaveLength(500);

    const rounds = 10;
    for (let n = 1; n <= rounds; n++) {
      server.ferry.to('all').send({ b: n });
      server.ferry.to('even').send({ even: n });
      for (const socket of server.sockets) socket.send({ d: n });
    }
    server.ferry.send('end');
    await waitFor(() => clients.every((c) => c.received.at(-1) === 'end'), 'every client to get everything', 60_000);

    for (let i = 0; i < clients.length; i++) {
      const expected: JsonValue[] = [];
      for (const n of range(rounds)) expected.push(...(i % 2 === 0 ? [{ b: n }, { even: n }, { d: n }] : [{ b: n }, { d: n }]));
      expected.push('end');
      expect(clients[i].received, `client ${i} on ${clients[i].socket.transport}`).toEqual(expected);
      expect(clients[i].closes).toEqual([]);
    }
  }, 120_000);
});

describe.each(ALL_TRANSPORTS)('membership across reconnects over %s', (transport) => {
  it('sessions that are reconnecting get a broadcast once, after they resume, still in their rooms', async () => {
    const server = track(await startServer({}, (socket) => socket.join('room')));
    const proxy = track(await new TcpProxy(server.port).listen());
    const direct = connectClient(server.origin, { transports: [transport] });
    const cut = [0, 1, 2].map(() => connectClient(proxy.origin, { transports: [transport], reconnectDelay: 20, reconnectDelayMax: 100 }));
    const clients = [direct, ...cut];
    track(closeClients(clients));
    await waitFor(() => server.sockets.length === 4 && clients.every((c) => c.socket.state === 'open'), 'every client open');
    const ids = clients.map((c) => c.socket.id);

    for (const n of [1, 2, 3]) server.ferry.to('room').send({ n });
    await waitFor(() => clients.every((c) => c.received.length === 3), 'the first broadcasts');
    proxy.mode = 'refuse';
    proxy.cutAll();
    await waitFor(() => cut.every((c) => c.socket.state === 'reconnecting'), 'the cut clients to be reconnecting');
    for (const n of [4, 5, 6]) {
      server.ferry.to('room').send({ n });
      for (const socket of server.sockets) socket.send({ d: n });
    }
    await waitFor(() => direct.received.length === 9, 'the direct client');
    proxy.mode = 'forward';
    await waitFor(() => cut.every((c) => c.received.length === 9 && c.socket.state === 'open'), 'the cut clients to resume');
    server.ferry.to('room').send({ n: 7 });
    await waitFor(() => clients.every((c) => c.received.length === 10), 'a broadcast after the resume');

    const expected = [{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }, { d: 4 }, { n: 5 }, { d: 5 }, { n: 6 }, { d: 6 }, { n: 7 }];
    for (const client of clients) {
      expect(client.received).toEqual(expected);
      expect(client.closes).toEqual([]);
    }
    // the same sessions, still members
    expect(clients.map((c) => c.socket.id)).toEqual(ids);
    expect(server.ferry.sockets('room').map((s) => s.id).sort()).toEqual([...ids].sort());
    for (const socket of server.sockets) expect([...socket.rooms]).toEqual(['room']);
  });
});

describe('membership across a transport switch', () => {
  it('a socket that joined on long-polling is still a member after moving to WebSocket', async () => {
    const server = track(await startServer({}, (socket) => socket.join('room')));
    const client = connectClient(server.origin, { transports: ['websocket', 'xhr-polling'] });
    track(closeClients([client]));
    await waitFor(() => server.sockets.length === 1, 'connection');
    server.ferry.to('room').send('on polling');
    await waitFor(() => client.socket.transport === 'websocket' && server.sockets[0].transport === 'websocket', 'the upgrade');
    server.ferry.to('room').send('on websocket');
    await waitFor(() => client.received.length === 2, 'both broadcasts');
    expect(client.transports).toEqual(['xhr-polling', 'websocket']);
    expect(client.received).toEqual(['on polling', 'on websocket']);
    expect([...server.sockets[0].rooms]).toEqual(['room']);
  });
});

describe('volatile broadcast', () => {
  it('skips sessions that are not connected right now and queues for no one', async () => {
    const server = track(await startServer({ pingInterval: 200, pingTimeout: 200 }, (socket) => socket.join('room')));
    const proxy = track(await new TcpProxy(server.port).listen());
    const direct = connectClient(server.origin, { transports: ['websocket'] });
    const away = connectClient(proxy.origin, { transports: ['websocket'], reconnectDelay: 20, reconnectDelayMax: 100 });
    track(closeClients([direct, away]));
    await waitFor(() => server.sockets.length === 2 && direct.socket.state === 'open' && away.socket.state === 'open', 'both open');
    const awaySocket = server.sockets.find((s) => s.id === away.socket.id) as Socket;
    proxy.mode = 'refuse';
    proxy.cutAll();
    await waitFor(() => !awaySocket.connected, 'the server to see the transport gone');
    server.ferry.to('room').volatile.send('cursor');
    server.ferry.volatile.send('state');
    server.ferry.to('room').send('kept');
    await waitFor(() => direct.received.length === 3, 'the connected client');
    proxy.mode = 'forward';
    await waitFor(() => away.received.length === 1 && away.socket.state === 'open', 'the resumed client');
    expect(direct.received).toEqual(['cursor', 'state', 'kept']);
    expect(away.received).toEqual(['kept']);
  });
});

describe('a recipient over its budget', () => {
  it('ends with buffer overflow; the others get the broadcast', async () => {
    const server = track(await startServer({ maxBufferedBytes: 20_000 }, (socket) => socket.join('room')));
    const clients = [0, 1, 2].map(() => connectClient(server.origin, { transports: ['websocket'] }));
    track(closeClients(clients));
    await waitFor(() => server.sockets.length === 3 && clients.every((c) => c.socket.state === 'open'), 'all open');
    const [heavy, ...rest] = server.sockets;
    const reasons: string[] = [];
    heavy.on('close', (reason) => reasons.push(reason));
    // in one tick: nothing is acknowledged in between, so the heavy session holds both
    heavy.send('x'.repeat(15_000));
    server.ferry.to('room').send('y'.repeat(8_000));
    expect(reasons).toEqual([expect.stringMatching(/^buffer overflow/)]);
    expect(server.ferry.sockets('room')).toEqual(rest);
    const others = clients.filter((c) => c.socket.id !== heavy.id);
    await waitFor(() => others.every((c) => c.received.length === 1), 'the others');
    for (const client of others) expect(client.received).toEqual(['y'.repeat(8_000)]);
  });
});
