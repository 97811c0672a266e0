import { describe, expect, it } from 'vitest';
import request from 'supertest';
import { WebSocket } from 'ws';
import { closeAfterEach, startServer, waitFor } from '../support/harness.js';
import { query } from '../support/raw-session.js';
import { clientFrame, rawWebSocketSession } from '../support/raw-websocket.js';

const track = closeAfterEach();

const TEXT = 0x1;
const PING = 0x9;

describe('a WebSocket frame that ws finds malformed ends the session', () => {
  it.each([
    ['invalid UTF-8 in a text message (1007)', clientFrame(TEXT, Buffer.from([0x5b, 0x22, 0xff, 0xfe, 0x22, 0x5d])), /invalid UTF-8/i],
    ['a reserved opcode (1002)', clientFrame(0x3, Buffer.from('[]')), /invalid opcode 3/],
    ['an unmasked client frame (1002)', clientFrame(TEXT, Buffer.from('[]'), { masked: false }), /MASK must be set/],
    ['a reserved bit set (1002)', clientFrame(TEXT, Buffer.from('[]'), { rsv: 0x20 }), /RSV2 and RSV3 must be clear/],
    ['a fragmented control frame (1002)', clientFrame(PING, Buffer.from('hi'), { fin: false }), /FIN must be set/],
  ])('%s', async (_name, frame, why) => {
    const server = track(await startServer());
    // a bystander direct session that must not notice
    const other = new WebSocket(`ws://127.0.0.1:${server.port}/ferry/v1/ws`);
    track({ close: async () => other.terminate() });
    await new Promise((resolve) => other.once('message', resolve));
    const { conn, handshake } = await rawWebSocketSession(server.port);
    track({ close: async () => conn.destroy() });
    await waitFor(() => server.sockets.length === 2, 'both sessions');
    const victim = server.sockets[1];
    const reasons: string[] = [];
    victim.on('close', (reason) => reasons.push(reason));

    await conn.write(frame);
    await waitFor(() => reasons.length === 1, 'the session to end');
    expect(reasons[0]).toMatch(/^protocol error: /);
    expect(reasons[0]).toMatch(why);
    expect(server.ferry.sessionCount).toBe(1);
    // its token no longer opens anything
    const poll = await request(server.http).get(`/ferry/v1/poll?${query(handshake, '&e=2')}`);
    expect(poll.status).toBe(404);
    expect(poll.body.error).toBe('unknown_session');

    // the other session still echoes
    const heard: string[] = [];
    other.on('message', (data) => heard.push(String(data)));
    other.send('[["m",1,"still here"]]');
    await waitFor(() => heard.some((text) => text.includes('"still here"')), 'the echo');
    expect(server.sockets[0].connected).toBe(true);
  });
});
