// A diagnostics session on one node of a cluster is not reached by what another node broadcasts
// or asks for: each node resolves targets against the app's sessions only.
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { closeAfterEach, waitFor } from '../../support/harness.js';
import { connectMember, freshPrefix, startNode } from '../../support/cluster-nodes.js';
import { REDIS_SUITES_RUN, suiteRedisServer } from '../../support/redis-server.js';

const track = closeAfterEach();

describe.runIf(REDIS_SUITES_RUN)('a diagnostics session in a cluster', () => {
  const redis = suiteRedisServer();

  it('gets no broadcast from another node and is not among the sockets any node fetches', async () => {
    const prefix = freshPrefix();
    const a = track(await startNode(redis.url, { prefix, nodeId: 'node-a' }, undefined, { diagnostics: true }));
    const b = track(await startNode(redis.url, { prefix, nodeId: 'node-b' }, undefined, { diagnostics: true }));
    const member = await connectMember(b, ['room']);
    track({ close: async () => member.socket.close() });
    // a raw direct WebSocket to node b, a diagnostics session there
    const ws = new WebSocket(`ws://${b.origin.slice('http://'.length)}/ferry/v1/ws?diag=1`);
    track({ close: async () => ws.close() });
    const frames: unknown[][] = [];
    ws.on('message', (data: Buffer) => frames.push(...(JSON.parse(data.toString()) as unknown[][])));
    await waitFor(() => frames.some((f) => f[0] === 'open'), 'the diagnostics session');
    const sid = (frames.find((f) => f[0] === 'open')![1] as { sid: string }).sid;
    expect(sid.startsWith('node-b~')).toBe(true);
    expect(b.sockets.map((s) => s.id)).toEqual([member.socket.id]);

    const fetched = await a.ferry.fetchSockets();
    expect(fetched.sockets.map((s) => s.id)).toEqual([member.socket.id]);
    await a.ferry.socketsJoin('everyone');
    await a.ferry.send('to all');
    await a.ferry.to(sid).send('to the diagnostics id');
    await a.ferry.to('everyone').send('to everyone');
    await a.ferry.emit('news', 1);
    await a.ferry.send('end');
    await waitFor(() => member.received.at(-1) === 'end', 'the member to get the broadcasts');
    expect(member.received).toEqual(['to all', 'to everyone', 'end']);

    // whatever had been queued for the diagnostics session would come before its pong
    ws.send(JSON.stringify([['m', 1, { d: 'ping', n: 9 }]]));
    await waitFor(() => frames.some((f) => f[0] === 'm'), 'the pong');
    expect(frames.filter((f) => f[0] === 'm' || f[0] === 'e')).toEqual([['m', 1, { d: 'pong', n: 9 }]]);
    expect(a.errors).toEqual([]);
    expect(b.errors).toEqual([]);
  });
});
