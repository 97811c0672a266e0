import { describe, expect, it } from 'vitest';
import request from 'supertest';
import { WebSocket } from 'ws';
import { closeAfterEach, startServer, waitFor, type TestServer } from '../support/harness.js';
import { rawHandshake, query } from '../support/raw-session.js';
import { CloseCode } from '../../protocol/index.js';

const track = closeAfterEach();

/** A raw WebSocket on a new session; `texts` gets every text message it receives, as sent. */
async function rawClient(server: TestServer, params: string): Promise<{ ws: WebSocket; texts: string[] }> {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ferry/v1/ws${params}`);
  track({ close: async () => ws.terminate() });
  const texts: string[] = [];
  ws.on('message', (data, isBinary) => {
    if (!isBinary) texts.push(String(data));
  });
  await waitFor(() => texts.length === 1, 'the open frame');
  return { ws, texts };
}

/** The message frames among `texts`, as their JSON text, in order. */
function messageFrames(texts: string[]): string[] {
  return texts.flatMap((text) => (JSON.parse(text) as unknown[][]).filter((frame) => frame[0] === 'm').map((frame) => JSON.stringify(frame)));
}

describe('implicit sequence numbers on WebSocket', () => {
  it('a client that announces minor=1 gets seq 0 for each message after the first on its socket', async () => {
    const server = track(await startServer());
    const { ws, texts } = await rawClient(server, '?minor=1');
    expect(JSON.parse(texts[0])[0][1].minor).toBe(1);
    ws.send('[["m",1,"a"]]');
    await waitFor(() => messageFrames(texts).length === 1, 'the first echo');
    ws.send('[["m",2,"b"],["m",0,"c"]]');
    await waitFor(() => messageFrames(texts).length === 3, 'the other echoes');
    expect(messageFrames(texts)).toEqual(['["m",1,"a"]', '["m",0,"b"]', '["m",0,"c"]']);
  });

  it('a client that does not announce it (revision 0) gets every seq written out', async () => {
    const server = track(await startServer());
    const { ws, texts } = await rawClient(server, '');
    ws.send('[["m",1,"a"]]');
    await waitFor(() => messageFrames(texts).length === 1, 'the first echo');
    ws.send('[["m",2,"b"]]');
    await waitFor(() => messageFrames(texts).length === 2, 'the second echo');
    expect(messageFrames(texts)).toEqual(['["m",1,"a"]', '["m",2,"b"]']);
  });

  it('a minor that is not 1–15 decimal digits refuses the upgrade with 400 bad_request, and makes no session', async () => {
    const server = track(await startServer());
    for (const minor of ['x', '-1', '1.5', '9'.repeat(16)]) {
      const status = await new Promise<number>((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ferry/v1/ws?minor=${encodeURIComponent(minor)}`);
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => {
          ws.terminate();
          resolve(101);
        });
        ws.on('error', reject);
      });
      expect(status, minor).toBe(400);
    }
    expect(server.ferry.sessionCount).toBe(0);
  });

  it('the server takes seq 0 from the client as the next message, after an explicit one', async () => {
    const got: unknown[] = [];
    const server = track(await startServer({}, (socket) => socket.on('message', (data) => got.push(data))));
    const { ws } = await rawClient(server, '?minor=1');
    ws.send('[["m",1,"a"],["m",0,"b"]]');
    ws.send('[["m",0,"c"]]');
    // a resend of the last one, explicit, is a duplicate; the seq 0 after it is new
    ws.send('[["m",3,"c"],["m",0,"d"]]');
    await waitFor(() => got.length === 4, 'four messages');
    expect(got).toEqual(['a', 'b', 'c', 'd']);
  });

  it('a seq 0 before any explicit seq on the socket ends that session only, as a protocol error', async () => {
    const reasons: string[] = [];
    const server = track(await startServer({}, (socket) => {
      socket.on('message', (data) => socket.send(data));
      socket.on('close', (reason) => reasons.push(reason));
    }));
    const bystander = await rawClient(server, '?minor=1');
    const { ws } = await rawClient(server, '?minor=1');
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send('[["m",0,"a"]]');
    expect(await closed).toBe(CloseCode.PROTOCOL_ERROR);
    expect(reasons).toEqual([expect.stringMatching(/^protocol error: seq 0 \(the next one\) before any explicit seq/)]);
    bystander.ws.send('[["m",1,"still here"]]');
    await waitFor(() => messageFrames(bystander.texts).length === 1, 'the bystander echo');
  });

  it('seq 0 over HTTP is refused with 400: only a WebSocket has a position to count from', async () => {
    const server = track(await startServer());
    const hs = await rawHandshake(server);
    const res = await request(server.http).post(`/ferry/v1/send?${query(hs)}`).set('Content-Type', 'text/plain').send('[["m",0,"a"]]');
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('malformed_packet');
    expect(res.body.message).toMatch(/malformed or unknown frame "m"/);
  });

  it('a broadcast is the same packet for every recipient once each has had a message on its socket', async () => {
    const server = track(await startServer({}, () => {}));
    const a = await rawClient(server, '?minor=1');
    const b = await rawClient(server, '?minor=1');
    await waitFor(() => server.sockets.length === 2, 'both sessions');
    server.sockets[0].send('only a');
    await waitFor(() => messageFrames(a.texts).length === 1, 'a’s own message');
    server.ferry.send('everyone');
    await waitFor(() => messageFrames(a.texts).length === 2 && messageFrames(b.texts).length === 1, 'the first broadcast');
    // a is at seq 2 and b at seq 1: b's first message on its socket says its seq
    expect(messageFrames(a.texts)[1]).toBe('["m",0,"everyone"]');
    expect(messageFrames(b.texts)[0]).toBe('["m",1,"everyone"]');
    server.ferry.send({ again: true });
    await waitFor(() => a.texts.length === 4 && b.texts.length === 3, 'the second broadcast');
    expect(a.texts[3]).toBe('[["m",0,{"again":true}]]');
    expect(b.texts[2]).toBe(a.texts[3]);
  });
});
