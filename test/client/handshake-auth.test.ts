import { describe, expect, it } from 'vitest';
import { connect, type ClientSocket, type ConnectOptions } from '../../client/index.js';
import { Refusal, type AuthHandshake, type ServerOptions } from '../../server/index.js';
import type { JsonValue, TransportName } from '../../protocol/index.js';
import { closeAfterEach, startServer, waitFor, type TestServer } from '../support/harness.js';
import { ALL_TRANSPORTS } from '../support/transports.js';

const track = closeAfterEach();

const FAST: ConnectOptions = { reconnectDelay: 50, reconnectDelayMax: 200 };

/** The requests that ask for a new session: POST/JSONP handshakes, and direct WebSocket upgrades (no sid). */
function countHandshakes(server: TestServer): { count: number } {
  const seen = { count: 0 };
  server.http.on('request', (req) => {
    if (req.url?.startsWith('/ferry/v1/handshake')) seen.count++;
  });
  server.http.on('upgrade', (req) => {
    if (req.url?.startsWith('/ferry/v1/ws') && !req.url.includes('sid=')) seen.count++;
  });
  return seen;
}

function open(url: string, transport: TransportName, options: ConnectOptions): { socket: ClientSocket; events: string[] } {
  const socket = connect(url, { ...FAST, ...options, transports: [transport] });
  const events: string[] = [];
  socket.on('open', () => events.push('open'));
  socket.on('close', (reason, { renewing }) => events.push(`close ${renewing ? 'renewing' : 'final'}: ${reason}`));
  track({ close: async () => socket.close() });
  return { socket, events };
}

async function authServer(middleware: (h: AuthHandshake) => unknown, options: ServerOptions = {}): Promise<TestServer> {
  const server = track(await startServer(options));
  server.ferry.use(middleware as (h: AuthHandshake) => void);
  return server;
}

/** JSONP's handshake is a script tag: it cannot carry the payload (protocol/PROTOCOL.md, section 3). */
const carriesAuth = (transport: TransportName): boolean => transport !== 'jsonp-polling';

describe.each(ALL_TRANSPORTS)('handshake auth, forced %s', (transport) => {
  it('runs the middleware with the payload, query and address, and its data becomes socket.data', async () => {
    const seen: Array<Pick<AuthHandshake, 'auth' | 'query' | 'address' | 'transport'>> = [];
    const server = await authServer((h) => {
      seen.push({ auth: h.auth, query: h.query, address: h.address, transport: h.transport });
      h.data.user = 'ada';
      return { role: 'admin' };
    });
    const client = open(server.origin + '/ferry?room=blue', transport, { auth: { token: 'abc' } });
    await waitFor(() => client.events.includes('open'), 'open');
    expect(seen).toEqual([{ auth: carriesAuth(transport) ? { token: 'abc' } : undefined, query: { room: 'blue' }, address: '127.0.0.1', transport }]);
    expect(server.sockets[0].data).toEqual({ user: 'ada', role: 'admin' });
    // the session works as usual afterwards
    const echoed: unknown[] = [];
    client.socket.on('message', (data) => echoed.push(data));
    client.socket.send('hi');
    await waitFor(() => echoed.length === 1, 'echo');
  });

  it('a Refusal ends the socket with its message, renewing false, after exactly one handshake', async () => {
    const server = await authServer(() => {
      throw new Refusal('token expired, sign in again');
    });
    const handshakes = countHandshakes(server);
    const client = open(server.origin + '/ferry', transport, { auth: 'old' });
    await waitFor(() => client.events.length > 0, 'close');
    // several backoff periods: a retry would show here
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(client.events).toEqual(['close final: token expired, sign in again']);
    expect(client.socket.state).toBe('closed');
    expect(handshakes.count).toBe(1);
    expect(server.ferry.sessionCount).toBe(0);
  });

  it('a Refusal\'s data reaches the close listener (a direct WebSocket\'s close carries only the message)', async () => {
    const server = await authServer(() => {
      throw new Refusal('plan expired', { status: 403, data: { upgradeAt: '/billing', seats: [1, 2] } });
    });
    const socket = connect(server.origin + '/ferry', { ...FAST, transports: [transport] });
    track({ close: async () => socket.close() });
    const closes: Array<[string, unknown]> = [];
    socket.on('close', (reason, info) => closes.push([reason, info.data]));
    await waitFor(() => closes.length > 0, 'close');
    expect(closes).toEqual([['plan expired', transport === 'websocket' ? undefined : { upgradeAt: '/billing', seats: [1, 2] }]]);
  });

  it('a middleware bug is the server\'s error event and a 500/1011: the client retries', async () => {
    let calls = 0;
    const server = await authServer(() => {
      calls++;
      if (calls === 1) throw new Error('database down');
    });
    const errors: Array<[string, unknown]> = [];
    server.ferry.on('error', (error, socket) => errors.push([error.message, socket]));
    const client = open(server.origin + '/ferry', transport, {});
    await waitFor(() => client.events.includes('open'), 'open after a retry');
    expect(calls).toBe(2);
    expect(errors).toEqual([['database down', null]]);
    expect(client.events).toEqual(['open']);
  });

  it('asks the auth function again when the session is renewed, and the new payload reaches the middleware', async () => {
    const seen: Array<JsonValue | undefined> = [];
    // one session at most: a second handshake evicts the first (it carried no message), which renews
    const server = await authServer((h) => void seen.push(h.auth), { maxSessions: 1 });
    let issued = 0;
    const client = open(server.origin + '/ferry', transport, { auth: (cb) => setTimeout(() => cb({ token: 'token-' + ++issued }), 5) });
    await waitFor(() => client.events.length === 1, 'open');
    const intruder = await fetch(server.origin + '/ferry/v1/handshake', { method: 'POST', body: '{"auth":"intruder"}' });
    expect(intruder.status).toBe(200);
    await waitFor(() => client.events.length === 3, 'renewed');
    expect(client.events[0]).toBe('open');
    expect(client.events[1]).toMatch(/^close renewing: /);
    expect(client.events[2]).toBe('open');
    expect(issued).toBe(2);
    if (carriesAuth(transport)) expect(seen).toEqual([{ token: 'token-1' }, 'intruder', { token: 'token-2' }]);
    else expect(seen).toEqual([undefined, 'intruder', undefined]);
  });
});

describe('several middleware', () => {
  it.each(['websocket', 'xhr-polling'] as const)('run in order, each seeing what the previous set (%s)', async (transport) => {
    const order: string[] = [];
    const server = track(await startServer());
    server.ferry
      .use(async (h) => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        order.push('first');
        h.data.a = 1;
      })
      .use((h) => {
        order.push('second saw a=' + String(h.data.a));
        return { b: 2 };
      });
    const client = open(server.origin + '/ferry', transport, {});
    await waitFor(() => client.events.includes('open'), 'open');
    expect(order).toEqual(['first', 'second saw a=1']);
    expect(server.sockets[0].data).toEqual({ a: 1, b: 2 });
  });

  it('stop at the first refusal', async () => {
    const ran: string[] = [];
    const server = track(await startServer());
    server.ferry
      .use(() => {
        ran.push('first');
        throw new Refusal('banned', { status: 403 });
      })
      .use(() => void ran.push('second'));
    const client = open(server.origin + '/ferry', 'xhr-polling', {});
    await waitFor(() => client.events.length > 0, 'close');
    expect(client.events).toEqual(['close final: banned']);
    expect(ran).toEqual(['first']);
  });
});

describe('the auth option', () => {
  it('a function that throws ends the socket and reaches its error listeners', async () => {
    const server = track(await startServer());
    const socket = connect(server.origin + '/ferry', {
      auth: () => {
        throw new Error('no token stored');
      },
    });
    const errors: string[] = [];
    const closes: string[] = [];
    socket.on('error', (e) => errors.push(e.message));
    socket.on('close', (reason) => closes.push(reason));
    await waitFor(() => closes.length === 1, 'close');
    expect(errors).toEqual(['no token stored']);
    expect(closes[0]).toContain('no token stored');
    expect(server.ferry.sessionCount).toBe(0);
  });

  it('without middleware, a client with a payload still connects (the payload is ignored)', async () => {
    const server = track(await startServer());
    for (const transport of ['websocket', 'xhr-polling'] as const) {
      const client = open(server.origin + '/ferry', transport, { auth: { token: 'x' } });
      await waitFor(() => client.events.includes('open'), 'open');
      expect(server.sockets.at(-1)?.data).toEqual({});
    }
  });
});
