import { describe, expect, it } from 'vitest';
import request from 'supertest';
import { WebSocket } from 'ws';
import { CloseCode } from '../../protocol/index.js';
import { closeAfterEach, connectClient, startServer, waitFor, type TestServer } from '../support/harness.js';
import type { ServerOptions } from '../../server/index.js';
import { query, rawHandshake } from '../support/raw-session.js';

const track = closeAfterEach();

/** A healthy session alongside the abuse: it must keep working, named events included. */
async function bystander(server: TestServer) {
  const client = connectClient(server.origin, { transports: ['websocket'] });
  await waitFor(() => client.socket.state === 'open', 'bystander open');
  return {
    async stillWorks() {
      expect(await client.socket.emitWithAck('echo', 'still here')).toEqual(['still here']);
      expect(client.closes).toEqual([]);
      client.socket.close();
    },
  };
}

/** A direct WebSocket session spoken by hand: the frames it receives, as parsed packets. */
async function rawWebSocket(server: TestServer): Promise<{ ws: WebSocket; received: unknown[][]; closed: Promise<[number, string]> }> {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ferry/v1/ws`);
  track({ close: async () => ws.terminate() });
  const received: unknown[][] = [];
  const closed = new Promise<[number, string]>((resolve) => ws.on('close', (code, reason) => resolve([code, String(reason)])));
  ws.on('message', (data) => received.push(...(JSON.parse(String(data)) as unknown[][])));
  await waitFor(() => received.some((frame) => frame[0] === 'open'), 'the open frame');
  return { ws, received, closed };
}

function echoServer(options: ServerOptions = {}) {
  return startServer(options, (socket) => {
    socket.on('echo', (...args: unknown[]) => args.slice(0, -1) as string[]);
  });
}

const BAD_FRAMES: Array<[string, string]> = [
  ['a reserved event name', '[["e",1,"close",[]]]'],
  ['another reserved name', '[["e",1,"message",["x"]]]'],
  ['an empty event name', '[["e",1,"",[]]]'],
  ['an event name of 201 characters', `[["e",1,"${'n'.repeat(201)}",[]]]`],
  ['a name that is not a string', '[["e",1,5,[]]]'],
  ['arguments that are not an array', '[["e",1,"chat",{"a":1}]]'],
  ['missing arguments', '[["e",1,"chat"]]'],
  ['an ack id of zero', '[["e",1,"chat",[],0]]'],
  ['a negative ack id', '[["e",1,"chat",[],-3]]'],
  ['a fractional ack id', '[["e",1,"chat",[],1.5]]'],
  ['an ack id past 2^53 - 1', '[["e",1,"chat",[],9007199254740992]]'],
  ['an ack id that is a string', '[["e",1,"chat",[],"7"]]'],
  ['an extra element', '[["e",1,"chat",[],7,8]]'],
  ['an event with seq 0', '[["e",0,"chat",[]]]'],
  ['an event out of sequence', '[["e",2,"chat",[]]]'],
  ['an answer without an id', '[["r",1]]'],
  ['an answer with id 0', '[["r",1,0,"x"]]'],
  ['a failed answer with a value', '[["r",1,3,"x","reason"]]'],
  ['a failed answer whose reason is not a string', '[["r",1,3,null,5]]'],
  ['a failed answer with a reason of 1,001 characters', `[["r",1,3,null,"${'r'.repeat(1001)}"]]`],
  ['an answer with an extra element', '[["r",1,3,null,"x",1]]'],
];

describe('a malformed event or answer frame ends that session only', () => {
  it.each(BAD_FRAMES)('over WebSocket: %s', async (_name, packet) => {
    const server = track(await echoServer());
    const other = await bystander(server);
    const raw = await rawWebSocket(server);
    await waitFor(() => server.sockets.length === 2, 'both sessions');
    const reasons: string[] = [];
    server.sockets[1].on('close', (reason) => reasons.push(reason));
    raw.ws.send(packet);
    const [code, reason] = await raw.closed;
    expect(code).toBe(CloseCode.PROTOCOL_ERROR);
    expect(reason).toMatch(/^protocol error: /);
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatch(/^protocol error: /);
    await other.stillWorks();
  });

  it.each(BAD_FRAMES)('over HTTP: %s', async (_name, packet) => {
    const server = track(await echoServer());
    const other = await bystander(server);
    const hs = await rawHandshake(server);
    const res = await request(server.http).post(`/ferry/v1/send?${query(hs)}`).set('Content-Type', 'text/plain').send(packet);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('malformed_packet');
    expect(await request(server.http).get(`/ferry/v1/poll?${query(hs, '&e=1')}`).then((r) => r.status)).toBe(404);
    await other.stillWorks();
  });
});

describe('events and answers from a raw client', () => {
  it('answers an acknowledged event, refuses a missing handler, and ignores an answer nobody awaits', async () => {
    const server = track(await echoServer());
    const raw = await rawWebSocket(server);
    raw.ws.send('[["e",1,"echo",["a",{"b":[1]}],7],["e",2,"nobody",[],8],["e",3,"echo",["no ack"]],["r",4,12345,"unsolicited"],["r",5,99,null,"failed"]]');
    await waitFor(() => raw.received.filter((f) => f[0] === 'r').length === 2, 'two answers');
    const answers = raw.received.filter((f) => f[0] === 'r');
    expect(answers).toEqual([
      ['r', 1, 7, ['a', { b: [1] }]],
      ['r', 2, 8, null, 'no handler for "nobody"'],
    ]);
    // the session goes on
    raw.ws.send('[["e",6,"echo",["again"],9]]');
    await waitFor(() => raw.received.filter((f) => f[0] === 'r').length === 3, 'third answer');
    expect(raw.received.filter((f) => f[0] === 'r')[2]).toEqual(['r', 3, 9, ['again']]);
    expect(server.sockets[0].connected).toBe(true);
  });

  it('a duplicate event (resent after a resume) is handled once and answered once', async () => {
    let runs = 0;
    const server = track(await startServer({}, (socket) => socket.on('count', () => ++runs)));
    const raw = await rawWebSocket(server);
    raw.ws.send('[["e",1,"count",[],1]]');
    raw.ws.send('[["e",1,"count",[],1],["e",2,"count",[],2]]');
    await waitFor(() => raw.received.filter((f) => f[0] === 'r').length === 2, 'two answers');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(runs).toBe(2);
    expect(raw.received.filter((f) => f[0] === 'r')).toEqual([
      ['r', 1, 1, 1],
      ['r', 2, 2, 2],
    ]);
  });

  it('the server awaits its own ack ids: a client answer settles emitWithAck, a failed one rejects it', async () => {
    const server = track(await startServer({}, () => {}));
    const raw = await rawWebSocket(server);
    await waitFor(() => server.sockets.length === 1, 'session');
    const first = server.sockets[0].emitWithAck('question', 1);
    const second = server.sockets[0].emitWithAck('question', 2).catch((e: Error) => e.message);
    await waitFor(() => raw.received.filter((f) => f[0] === 'e').length === 2, 'two events');
    const events = raw.received.filter((f) => f[0] === 'e');
    expect(events.map((f) => [f[2], f[3]])).toEqual([
      ['question', [1]],
      ['question', [2]],
    ]);
    const [id1, id2] = events.map((f) => f[4] as number);
    raw.ws.send(`[["a",${events[1][1]}],["r",1,${id2},null,"not today"],["r",2,${id1},{"yes":true}]]`);
    expect(await first).toEqual({ yes: true });
    expect(await second).toBe('not today');
  });
});

describe('a client that never answers (maxPendingAcks)', () => {
  it('past the cap an acknowledged emit fails at once and is not sent, a broadcast counts it missing, and an answer frees a slot', async () => {
    const server = track(await echoServer({ maxPendingAcks: 3 }));
    const other = await bystander(server);
    const raw = await rawWebSocket(server);
    await waitFor(() => server.sockets.length === 2, 'both sessions');
    const socket = server.sockets[1];
    const waiting = [1, 2, 3].map((n) => socket.emitWithAck('question', n).catch((e: Error) => e.message));
    await expect(socket.emitWithAck('question', 4)).rejects.toThrow(/3 answers are awaited already in this session \(maxPendingAcks\)/);
    const callbackError = await new Promise<Error | null>((resolve) => {
      expect(socket.emit('question', 5, (error: Error | null) => resolve(error))).toBe(false);
    });
    expect(callbackError?.message).toMatch(/maxPendingAcks/);
    // not asked, so not waited for: it resolves long before the minute (the bystander has no handler: missing too)
    const broadcast = await server.ferry.timeout(60_000).emitWithAck('question', 6);
    expect(broadcast.missing.sort()).toEqual([socket.id, server.sockets[0].id].sort());
    await waitFor(() => raw.received.filter((f) => f[0] === 'e').length === 3, 'three events');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const events = raw.received.filter((f) => f[0] === 'e');
    // the refused emits and the broadcast were never sent to it
    expect(events.map((f) => f[3])).toEqual([[1], [2], [3]]);
    // an answer frees one slot: the next emit goes out
    raw.ws.send(`[["a",${events[2][1]}],["r",1,${events[0][4]},"one"]]`);
    expect(await waiting[0]).toBe('one');
    const fourth = socket.emitWithAck('question', 7);
    await waitFor(() => raw.received.filter((f) => f[0] === 'e').length === 4, 'the fourth event');
    const sent = raw.received.filter((f) => f[0] === 'e')[3];
    expect(sent[3]).toEqual([7]);
    raw.ws.send(`[["r",2,${sent[4]},"seven"]]`);
    expect(await fourth).toBe('seven');
    // the slots still held end with the session, which is not ended by the refusals
    expect(raw.received.some((f) => f[0] === 'close')).toBe(false);
    socket.close();
    expect(await Promise.all(waiting.slice(1))).toEqual([expect.stringMatching(/session ended/), expect.stringMatching(/session ended/)]);
    await other.stillWorks();
  });
});

describe('an event larger than maxMessageSize', () => {
  it('closes that WebSocket with 1009 and answers a POST with 413; other sessions go on', async () => {
    const server = track(await startServer({ maxMessageSize: 1024 }, (socket) => socket.on('echo', (text: string) => [text])));
    const other = await bystander(server);
    const raw = await rawWebSocket(server);
    raw.ws.send(`[["e",1,"echo",["${'x'.repeat(2000)}"],1]]`);
    expect((await raw.closed)[0]).toBe(1009);
    const hs = await rawHandshake(server);
    const res = await request(server.http).post(`/ferry/v1/send?${query(hs)}`).set('Content-Type', 'text/plain').send(`[["e",1,"echo",["${'x'.repeat(2000)}"],1]]`);
    expect(res.status).toBe(413);
    await other.stillWorks();
  });
});
