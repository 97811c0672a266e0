import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { TransportName } from '../../protocol/index.js';
import { closeAfterEach, connectClient, once, recordRequests, startServer, waitFor } from '../support/harness.js';

const track = closeAfterEach();

/** POSTs a handshake for `transport` and returns the status and parsed body. */
async function handshake(origin: string, transport: TransportName): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${origin}/ferry/v1/handshake?transport=${transport}`, { method: 'POST' });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('a client uses the transports the server has', () => {
  it('a refused handshake names the transports the server allows', async () => {
    const server = track(await startServer({ transports: ['websocket', 'eventsource'] }));
    const refused = await handshake(server.origin, 'xhr-polling');
    expect(refused.status).toBe(403);
    expect(refused.body.error).toBe('transport_disabled');
    expect(refused.body.transports).toEqual(['websocket', 'eventsource']);
    expect(refused.body.message).toContain('websocket, eventsource');
  });

  it('a direct WebSocket to a server without websocket is closed with 4014 and the list; no session is made', async () => {
    const server = track(await startServer({ transports: ['xhr-streaming', 'xhr-polling'] }));
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ferry/v1/ws`);
    ws.on('error', () => {}); // a refused upgrade (the old answer) closes with 1006, which the assertion reports
    const [code, reason] = await new Promise<[number, string]>((resolve) => ws.on('close', (c: number, r: Buffer) => resolve([c, r.toString()])));
    expect(code).toBe(4014);
    expect(reason).toBe('transport disabled; enabled: xhr-streaming,xhr-polling');
    expect(server.ferry.sessionCount).toBe(0);
  });

  it("a default client and a transports: ['websocket'] server: opens directly on websocket and echoes", async () => {
    const server = track(await startServer({ transports: ['websocket'] }));
    const client = connectClient(server.origin);
    await once(client.socket, 'open');
    expect(client.socket.transport).toBe('websocket');
    client.socket.send({ n: 1 });
    await waitFor(() => client.received.length === 1, 'the echo');
    expect(client.received).toEqual([{ n: 1 }]);
    expect(client.closes).toEqual([]);
    expect(server.sockets[0].transport).toBe('websocket');
    client.socket.close();
  });

  it('a default client and a server with only xhr-streaming and xhr-polling: opens and echoes', async () => {
    const server = track(await startServer({ transports: ['xhr-streaming', 'xhr-polling'] }));
    const client = connectClient(server.origin);
    await once(client.socket, 'open');
    client.socket.send({ n: 1 });
    await waitFor(() => client.received.length === 1, 'the echo');
    expect(client.closes).toEqual([]);
    expect(['xhr-streaming', 'xhr-polling']).toContain(client.socket.transport);
    client.socket.close();
  });

  it('a default client and a server with only eventsource: starts its session on eventsource', async () => {
    const server = track(await startServer({ transports: ['eventsource'] }));
    const requests = recordRequests(server);
    const client = connectClient(server.origin);
    await once(client.socket, 'open');
    client.socket.send({ n: 1 });
    await waitFor(() => client.received.length === 1, 'the echo');
    expect(client.socket.transport).toBe('eventsource');
    expect(requests.filter((url) => url.includes('/v1/handshake'))).toEqual([
      '/ferry/v1/handshake?transport=xhr-polling',
      '/ferry/v1/handshake?transport=eventsource',
    ]);
    client.socket.close();
  });

  it('a websocket-only client and a server without websocket: one final close that says why, no retries', async () => {
    const server = track(await startServer({ transports: ['xhr-streaming', 'xhr-polling'] }));
    const upgrades: string[] = [];
    server.http.on('upgrade', (req: { url?: string }) => upgrades.push(req.url ?? ''));
    const client = connectClient(server.origin, { transports: ['websocket'], reconnectDelay: 20 });
    const infos: Array<{ renewing: boolean }> = [];
    client.socket.on('close', (_reason, info) => infos.push(info));
    await waitFor(() => client.socket.state === 'closed', 'the final close');
    expect(client.closes).toEqual(['no usable transport: the server allows xhr-streaming, xhr-polling; this client uses websocket']);
    expect(infos).toEqual([{ renewing: false }]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(upgrades).toHaveLength(1);
    expect(server.ferry.sessionCount).toBe(0);
  });

  it('a client whose transports the server has none of: one final close that says why', async () => {
    const server = track(await startServer({ transports: ['websocket'] }));
    const client = connectClient(server.origin, { transports: ['xhr-polling', 'eventsource'], reconnectDelay: 20 });
    await waitFor(() => client.socket.state === 'closed', 'the final close');
    expect(client.closes).toEqual(['no usable transport: the server allows websocket; this client uses xhr-polling, eventsource']);
    expect(server.ferry.sessionCount).toBe(0);
  });
});
