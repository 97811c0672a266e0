import http from 'node:http';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import type { TransportStorage } from '../../client/index.js';
import { closeAfterEach, connectClient, startServer, waitFor } from '../support/harness.js';
import { TcpProxy } from '../support/tcp-proxy.js';

const track = closeAfterEach();

function memoryStorage(): TransportStorage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) };
}

function countUpgrades(httpServer: http.Server): () => number {
  let upgrades = 0;
  httpServer.prependListener('upgrade', () => upgrades++);
  return () => upgrades;
}

describe('choosing transports', () => {
  it('a blackholed WebSocket is abandoned within a budget derived from the round trip, not the cap', async () => {
    const server = track(await startServer());
    const proxy = track(await new TcpProxy(server.port, 'blackhole-websocket').listen());
    const client = connectClient(proxy.origin, { transports: ['websocket', 'xhr-polling'], probeTimeout: 20_000 });
    const started = Date.now();
    await waitFor(() => client.socket.attempts.length === 1, 'the probe to be abandoned', 5000);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(client.socket.attempts[0]).toMatchObject({ transport: 'websocket', outcome: 'failed' });
    expect(client.socket.attempts[0].reason).toMatch(/^no answer within \d+ ms$/);
    client.socket.close();
  });

  it('remembers a failed transport so the next session to the same URL does not probe it again', async () => {
    const server = track(await startServer());
    const proxy = track(await new TcpProxy(server.port, 'blackhole-websocket').listen());
    const storage = memoryStorage();
    const upgrades = countUpgrades(server.http);
    const first = connectClient(proxy.origin, { transports: ['websocket', 'xhr-polling'], storage });
    await waitFor(() => first.socket.attempts.length === 1, 'the first probe to fail', 5000);
    first.socket.close();
    expect(upgrades()).toBe(1);

    const second = connectClient(proxy.origin, { transports: ['websocket', 'xhr-polling'], storage });
    second.socket.send('hello');
    await waitFor(() => second.received.length === 1, 'echo');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(upgrades()).toBe(1);
    expect(second.socket.transport).toBe('xhr-polling');
    expect(second.socket.attempts[0]).toMatchObject({ transport: 'websocket', outcome: 'failed' });
    expect(second.socket.attempts[0].reason).toMatch(/^remembered/);
    second.socket.close();
  });

  it('forgets a remembered failure after its expiry', async () => {
    const server = track(await startServer());
    const storage = memoryStorage();
    const key = `ferry:failed:${server.origin}/ferry`;
    storage.setItem(key, JSON.stringify({ websocket: Date.now() - 2000 }));
    const client = connectClient(server.origin, { transports: ['websocket', 'xhr-polling'], storage, rememberFor: 1000 });
    await waitFor(() => client.socket.transport === 'websocket', 'websocket');
    expect(client.socket.attempts.every((a) => a.outcome === 'used')).toBe(true);
    client.socket.close();
  });

  it('credentialed CORS is opt-in and never paired with a wildcard', async () => {
    const credentialed = track(await startServer({ allowedOrigins: ['http://app.example'], credentials: true }));
    const res = await request(credentialed.http).post('/ferry/v1/handshake').set('Origin', 'http://app.example').expect(200);
    expect(res.headers['access-control-allow-origin']).toBe('http://app.example');
    expect(res.headers['access-control-allow-credentials']).toBe('true');
    await credentialed.close();
    const server = track(await startServer({ allowedOrigins: ['http://app.example'] }));
    const plain = await request(server.http).post('/ferry/v1/handshake').set('Origin', 'http://app.example').expect(200);
    expect(plain.headers['access-control-allow-credentials']).toBeUndefined();
  });
});
