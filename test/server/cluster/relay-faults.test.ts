// The request relay when things go wrong (issue 14), on a real redis-server: a relayed poll whose
// client leaves, a session whose owner is gone, an owner that shuts down, Redis killed mid-traffic.
// No relayed request hangs; a client whose owner lived loses nothing and gets nothing twice.
import http from 'node:http';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Handshake, JsonValue } from '../../../protocol/index.js';
import type { RedisAdapter, Socket } from '../../../server/index.js';
import { closeAfterEach, connectClient, range, waitFor } from '../../support/harness.js';
import { freshPrefix, rawRedis } from '../../support/cluster-nodes.js';
import { REDIS_SUITES_RUN, suiteRedisServer } from '../../support/redis-server.js';
import { RoundRobinProxy } from '../../support/round-robin-proxy.js';
import { startRelayNode, type RelayNode } from '../../support/relay-nodes.js';

const track = closeAfterEach();
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function handshake(node: RelayNode, transport = 'xhr-polling'): Promise<Handshake> {
  const res = await fetch(`${node.origin}/ferry/v1/handshake?transport=${transport}`, { method: 'POST' });
  expect(res.status).toBe(200);
  return (await res.json()) as Handshake;
}

function pollUrl(node: RelayNode, hs: Handshake, extra = ''): string {
  return `${node.origin}/ferry/v1/poll?sid=${encodeURIComponent(hs.sid)}&t=${encodeURIComponent(hs.token)}&e=1&ack=0${extra}`;
}

const echo = (socket: Socket): void => {
  socket.on('message', (data) => socket.send(data));
};

describe.runIf(REDIS_SUITES_RUN)('the request relay when things go wrong', () => {
  const redis = suiteRedisServer();

  async function nodes(count: number, options = {}): Promise<RelayNode[]> {
    const prefix = freshPrefix();
    const list: RelayNode[] = [];
    for (let i = 0; i < count; i++) list.push(track(await startRelayNode(redis.url, prefix, 'node-' + 'abc'.charAt(i), options, echo)));
    return list;
  }

  it('a relayed poll whose client disconnects releases the poll held on the owner', async () => {
    const [a, b] = await nodes(2);
    const hs = await handshake(a);
    expect(hs.sid.startsWith('node-a~')).toBe(true);
    expect(await (await fetch(pollUrl(a, hs))).text()).toBe('[]'); // the first poll is answered at once
    // a poll through node b, held on a, then abandoned by its client
    const abandon = new AbortController();
    const held = fetch(pollUrl(b, hs), { signal: abandon.signal }).catch(() => null);
    await waitFor(() => (b.requestsBySession.get(hs.sid) ?? 0) === 1, 'the poll to reach node b');
    await sleep(200);
    abandon.abort();
    await held;
    await sleep(200);
    // the next poll through b is held (not refused as a second pending poll) and carries a message
    const next = fetch(pollUrl(b, hs));
    await sleep(200);
    a.sockets[0].send('after');
    const res = await next;
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('after');
  });

  it('a session whose owner left the cluster, or is listed with nobody on its channel for 2 s, gets 404 node_lost (renew); one whose owner subscribes again meanwhile gets 502 (resume)', async () => {
    const [a] = await nodes(1);
    const gone = await fetch(`${a.origin}/ferry/v1/poll?sid=node-gone~abcdefghijklmnop&t=x&e=1&ack=0`);
    expect(gone.status).toBe(404);
    expect(((await gone.json()) as { error: string }).error).toBe('node_lost');
    // nodes present in the registry (for a minute) whose subscriber is down, as a kill -9 leaves them
    const raw = await rawRedis(redis.url);
    track({ close: async () => raw.destroy() });
    const [seconds] = (await raw.sendCommand(['TIME'])) as string[];
    for (const node of ['node-killed', 'node-back']) await raw.sendCommand(['ZADD', a.prefix + ':nodes', String(Number(seconds) * 1000 + 60_000), node]);
    const started = Date.now();
    const killed = await fetch(`${a.origin}/ferry/v1/poll?sid=node-killed~abcdefghijklmnop&t=x&e=1&ack=0`);
    expect(killed.status).toBe(404);
    expect(((await killed.json()) as { error: string }).error).toBe('node_lost');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
    // one whose subscriber comes back within the 2 s (a connection to Redis being re-made)
    const back = fetch(`${a.origin}/ferry/v1/poll?sid=node-back~abcdefghijklmnop&t=x&e=1&ack=0`);
    const subscriber = await rawRedis(redis.url);
    track({ close: async () => subscriber.destroy() });
    await sleep(500);
    await subscriber.subscribe(a.prefix + ':relay:node-back', () => {});
    const silent = await back;
    expect(silent.status).toBe(502);
    expect(((await silent.json()) as { error: string }).error).toBe('node_unavailable');
    // the relay's own answers are counted like any other error (ferry.metrics() and the text format)
    expect(a.ferry.metrics().httpErrors).toEqual({ node_lost: 2, node_unavailable: 1 });
    expect(a.ferry.metrics().relayed).toEqual({ out: 3, in: 0 });
  });

  it('an owner still subscribed but out of the registry (overloaded: its refresh is late) keeps its relayed streams; only after grace + nodeExpiry out is it dead', async () => {
    // heartbeatInterval 200 ms, nodeExpiry 1 s: an unsubscribed owner is dead after 2 s, an unlisted one after 3 s
    const [a, b] = await nodes(2);
    const hs = (await (await fetch(`${b.origin}/ferry/v1/handshake`, { method: 'POST' })).json()) as Handshake;
    expect(hs.sid.startsWith('node-b~')).toBe(true);
    let ended = 0;
    let body = '';
    const stream = http.get(`${a.origin}/ferry/v1/xhr-stream?sid=${encodeURIComponent(hs.sid)}&t=${encodeURIComponent(hs.token)}&e=1&ack=0`, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('close', () => (ended = Date.now()));
    });
    stream.on('error', () => (ended ||= Date.now()));
    track({ close: async () => void stream.destroy() });
    await waitFor(() => body.includes('[]'), 'the relayed stream to flow');
    // b keeps its connections (and its relay subscription) but its presence lapses, as a refresh
    // stuck behind seconds of its own traffic leaves it
    const parts = (b.ferry.adapter as RedisAdapter).relayParts;
    parts?.registry.halt();
    const raw = await rawRedis(redis.url);
    track({ close: async () => raw.destroy() });
    await raw.sendCommand(['ZREM', b.prefix + ':nodes', b.nodeId]);
    const lapsed = Date.now();
    await sleep(2_400);
    expect(ended).toBe(0);
    await waitFor(() => ended > 0, 'the stream to be cut', 5_000);
    expect(ended - lapsed).toBeGreaterThanOrEqual(2_900);
  });

  it('a WebSocket join for a session whose owner is gone is closed with 4001 "node lost", which a browser can read (not an HTTP refusal)', async () => {
    const [a] = await nodes(1);
    const ws = new WebSocket(`${a.origin.replace('http', 'ws')}/ferry/v1/ws?sid=node-gone~abcdefghijklmnop&t=x&e=1`);
    const closed = await new Promise<{ code: number; reason: string }>((resolve, reject) => {
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
      ws.on('unexpected-response', () => reject(new Error('the upgrade was refused with HTTP')));
    });
    expect(closed).toEqual({ code: 4001, reason: 'node lost' });
    expect(a.ferry.metrics().httpErrors).toEqual({ node_lost: 1 });
  });

  it('an owner that shuts down answers the poll relayed to it at once, and the next one gets 404', async () => {
    const [a, b] = await nodes(2);
    const hs = await handshake(a);
    expect(await (await fetch(pollUrl(a, hs))).text()).toBe('[]');
    const started = Date.now();
    const held = fetch(pollUrl(b, hs));
    await sleep(300);
    await a.close();
    const res = await held;
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('shutting down');
    expect(Date.now() - started).toBeLessThan(5_000); // far from the 20 s heartbeat that would release it otherwise
    const after = await fetch(pollUrl(b, hs));
    expect(after.status).toBe(404);
  });

  it('a relayed send over maxMessageSize gets 413 and ends the session on its owner, as on one node', async () => {
    const [a, b] = await nodes(2, { maxMessageSize: 1_000 });
    const hs = await handshake(a);
    const closes: string[] = [];
    a.sockets[0].on('close', (reason: string) => closes.push(reason));
    const url = `${b.origin}/ferry/v1/send?sid=${encodeURIComponent(hs.sid)}&t=${encodeURIComponent(hs.token)}`;
    const res = await fetch(url, { method: 'POST', body: JSON.stringify([['m', 1, 'x'.repeat(5_000)]]) });
    expect(res.status).toBe(413);
    expect(b.ferry.metrics().relayed).toEqual({ out: 1, in: 0 });
    expect(a.ferry.metrics().relayed).toEqual({ out: 0, in: 1 });
    expect(((await res.json()) as { error: string }).error).toBe('payload_too_large');
    await waitFor(() => closes.length === 1, 'the session to end');
    expect(closes[0]).toContain('too large');
  });

  it("the owner sees the client's address as the edge did (trustProxy works on relayed requests)", async () => {
    const [a, b] = await nodes(2, { trustProxy: ['127.0.0.1'], allowedOrigins: ['http://good.example'] });
    const hs = await handshake(a);
    const refused: Array<{ address: string | undefined; origin: string | null }> = [];
    a.ferry.on('refused', (info) => refused.push({ address: info.address, origin: info.origin }));
    const res = await fetch(pollUrl(b, hs), { headers: { Origin: 'http://evil.example', 'X-Forwarded-For': '203.0.113.7' } });
    expect(res.status).toBe(403);
    expect(refused).toEqual([{ address: '203.0.113.7', origin: 'http://evil.example' }]);
  });

  it('malformed relay messages from Redis are reported and dropped', async () => {
    const [a] = await nodes(1);
    const raw = await rawRedis(redis.url);
    track({ close: async () => raw.destroy() });
    for (const text of ['not json', '{"t":"req","from":"x y","id":1}', '{"t":"req","from":"node-b","id":1,"method":"GET","url":"no-slash","headers":{},"addr":null,"body":""}', '{"t":"head","from":"node-b","id":1,"status":99,"headers":{}}']) {
      await raw.sendCommand(['PUBLISH', a.prefix + ':relay:node-a', text]);
    }
    await waitFor(() => a.errors.length === 4, 'four reports');
    expect(a.errors.map((e) => (e as Error & { code?: string }).code)).toEqual(Array(4).fill('ERR_FERRY_CLUSTER_BAD_INPUT'));
    const hs = await handshake(a);
    expect((await fetch(pollUrl(a, hs))).status).toBe(200);
  });

  it("a WebSocket join that lands on another node is answered with the owner's checks: 101, or the owner's refusal", async () => {
    const [a, b] = await nodes(2);
    const hs = await handshake(a);
    const upgrade = (node: RelayNode, token: string): Promise<{ status: number; body: string }> =>
      new Promise((resolve, reject) => {
        const req = http.get(`${node.origin}/ferry/v1/ws?sid=${encodeURIComponent(hs.sid)}&t=${encodeURIComponent(token)}&e=2`, {
          headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==' },
        });
        req.on('response', (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('upgrade', (res, socket) => {
          socket.destroy();
          resolve({ status: res.statusCode ?? 0, body: '' });
        });
        req.on('error', reject);
      });
    expect((await upgrade(b, hs.token)).status).toBe(101);
    const refused = await upgrade(b, hs.token.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')));
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body)).toMatchObject({ error: 'invalid_token' });
    const gone = await fetch(`${b.origin}/ferry/v1/poll?sid=node-gone~abcdefghijklmnop&t=x&e=1&ack=0`);
    expect(gone.status).toBe(404);
  });

  it('an owner that shuts down answers the relayed requests it holds; the client renews on a live node', async () => {
    const [a, b] = await nodes(2, { pingInterval: 1_000, pingTimeout: 1_000 });
    const proxy = track(await new RoundRobinProxy([a.port, b.port]).listen());
    const client = connectClient(proxy.origin, { transports: ['xhr-polling'] });
    track({ close: async () => client.socket.close() });
    const renewals: string[] = [];
    client.socket.on('reconnecting', (reason: string) => renewals.push(reason));
    await waitFor(() => client.socket.state === 'open', 'the client to open');
    const first = client.socket.id as string;
    expect(first.startsWith('node-a~')).toBe(true);
    await waitFor(() => (b.requestsBySession.get(first) ?? 0) > 0, 'a request relayed through b');
    await a.close();
    await waitFor(() => client.socket.id !== first && client.socket.state === 'open', 'a new session', 10_000);
    expect((client.socket.id as string).startsWith('node-b~')).toBe(true);
    client.socket.send('still here');
    await waitFor(() => client.received.includes('still here'), 'an echo from the new owner');
  });

  it.each(['xhr-polling', 'eventsource'] as const)('an owner that dies (%s: its Redis links and HTTP server gone at once) has its clients renew on a live node, no request hanging', async (transport) => {
    const [a, b, c] = await nodes(3);
    const proxy = track(await new RoundRobinProxy([a.port, b.port, c.port]).listen());
    const client = connectClient(proxy.origin, { transports: [transport] });
    track({ close: async () => client.socket.close() });
    await waitFor(() => client.socket.state === 'open', 'the client to open');
    const first = client.socket.id as string;
    expect(first.startsWith('node-a~')).toBe(true);
    // as a SIGKILL would: no goodbye to Redis, no answer to anyone
    const parts = (a.ferry.adapter as RedisAdapter).relayParts;
    parts?.registry.halt();
    parts?.link.destroy();
    a.http.closeAllConnections();
    a.http.close();
    await waitFor(() => client.socket.id !== first && client.socket.state === 'open', 'a new session on a live node', 15_000);
    expect(client.socket.id).toMatch(/^node-[bc]~/);
    client.socket.send('alive');
    await waitFor(() => client.received.includes('alive'), 'an echo from the new owner');
  }, 30_000);

  it.each(['xhr-polling', 'xhr-streaming', 'websocket'] as const)('Redis killed mid-traffic (%s): no request hangs, and after its restart every message arrives once, in order', async (transport) => {
    const list = await nodes(3, { pingInterval: 2_000, pingTimeout: 2_000 });
    const proxy = track(await new RoundRobinProxy(list.map((node) => node.port)).listen());
    const client = connectClient(proxy.origin, { transports: [transport] });
    track({ close: async () => client.socket.close() });
    await waitFor(() => client.socket.state === 'open', 'the client to open');
    const sid = client.socket.id as string;
    let sent = 0;
    const send = async (until: number): Promise<void> => {
      while (sent < until) {
        client.socket.send({ n: ++sent });
        await sleep(10);
      }
    };
    await send(25);
    // a WebSocket resumed through another node: relayed when Redis goes
    if (transport === 'websocket') {
      const before = proxy.upgrades;
      proxy.cutUpgrades();
      await waitFor(() => proxy.upgrades > before && client.socket.state === 'open', 'the WebSocket to resume');
    }
    await send(50);
    await redis.kill();
    await send(100);
    await sleep(1_000);
    await redis.start();
    await send(150);
    await waitFor(() => client.received.length >= 150, 'every echo', 30_000);
    await sleep(300);
    expect((client.received as JsonValue[]).map((m) => (m as { n: number }).n)).toEqual(range(150));
    expect(client.socket.id).toBe(sid);
    expect(client.closes).toEqual([]);
  }, 60_000);
});
