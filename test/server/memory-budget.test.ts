// The process-wide budget (maxTotalBufferedBytes): what all sessions hold together is capped; new
// sessions are refused near the cap and the largest holders are shed past it.
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { closeAfterEach, startServer } from '../support/harness.js';
import { rawHandshake } from '../support/raw-session.js';

const track = closeAfterEach();
const KiB = 1024;

describe('maxTotalBufferedBytes', () => {
  it('sheds the sessions holding the most once all of them together pass the cap', async () => {
    const server = track(await startServer({ maxTotalBufferedBytes: 1000 * KiB }, () => {}));
    for (let i = 0; i < 4; i++) await rawHandshake(server);
    const [small, large, medium, other] = server.sockets;
    const reasons = new Map<unknown, string>();
    for (const socket of server.sockets) socket.on('close', (reason) => reasons.set(socket, reason));
    // nobody polls, so everything stays unacknowledged
    small.send('s'.repeat(100 * KiB));
    medium.send('m'.repeat(250 * KiB));
    other.send('o'.repeat(200 * KiB));
    expect(reasons.size).toBe(0);
    large.send('l'.repeat(500 * KiB)); // 1050 KiB in all: over the cap
    expect(reasons.get(large)).toMatch(/^buffer overflow: the server holds more than maxTotalBufferedBytes/);
    // back under 80% of the cap (800 KiB) after shedding only the largest
    expect(reasons.size).toBe(1);
    expect(small.bufferedAmount + medium.bufferedAmount + other.bufferedAmount).toBeGreaterThan(500 * KiB);
  });

  it('refuses new sessions from 90% of the cap, and takes them again once the total falls', async () => {
    const server = track(await startServer({ maxTotalBufferedBytes: 1000 * KiB }, () => {}));
    await rawHandshake(server);
    server.sockets[0].send('x'.repeat(920 * KiB));
    const refused = await request(server.http).post('/ferry/v1/handshake');
    expect(refused.status).toBe(503);
    expect(refused.body).toEqual({ error: 'too_many_sessions', message: expect.stringMatching(/maxTotalBufferedBytes/) });
    server.sockets[0].close();
    await rawHandshake(server);
  });
});
