import { describe, expect, it } from 'vitest';
import { CloseCode } from '../../protocol/index.js';
import { closeAfterEach, connectClient, startServer, waitFor } from '../support/harness.js';
import { agentFrom, handshakeFrom, pollOnce, requestFrom, sendMessage, websocketFrom, type Reply, type SessionKeys } from '../support/address-requests.js';

const track = closeAfterEach();

const ATTACKER = '127.0.0.2';
const VICTIM = '127.0.0.3';
const NEWCOMER = '127.0.0.4';

function keysOf(reply: Reply): SessionKeys {
  expect(reply.status).toBe(200);
  return reply.json as SessionKeys;
}

function expectRefusal(reply: Reply, status: number, code: string): void {
  expect(reply.status).toBe(status);
  expect(reply.headers['content-type']).toMatch(/^application\/json/);
  expect((reply.json as { error: string }).error).toBe(code);
  expect(typeof (reply.json as { message: string }).message).toBe('string');
}

describe('one address cannot lock the others out', () => {
  it('a handshake flood from one address is refused with 429 while another address keeps connecting and talking', async () => {
    // a table small enough that the flood would fill it in well under a second without the limits
    const server = track(await startServer({ maxSessions: 500 }));
    const agent = agentFrom(ATTACKER);
    track({ close: async () => agent.destroy() });
    const statuses = new Map<number, number>();
    let flooding = true;
    const flood = (async () => {
      const workers = Array.from({ length: 16 }, async () => {
        for (let i = 0; i < 80 && flooding; i++) {
          const reply = await handshakeFrom(server.port, ATTACKER, agent);
          statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
          if (reply.status === 429) {
            expectRefusal(reply, 429, 'rate_limited');
            expect(Number(reply.headers['retry-after'])).toBeGreaterThanOrEqual(1);
          }
        }
      });
      await Promise.all(workers);
    })();
    // the victim: a new session, a message and its echo, again and again, while the flood goes on
    let rounds = 0;
    const refusals: number[] = [];
    const deadline = Date.now() + 1500;
    while (Date.now() < deadline) {
      const hs = await handshakeFrom(server.port, VICTIM);
      if (hs.status !== 200) {
        refusals.push(hs.status);
        continue;
      }
      const keys = keysOf(hs);
      expect((await sendMessage(server.port, VICTIM, keys, 1, `round ${rounds}`)).status).toBe(200);
      const poll = await pollOnce(server.port, VICTIM, keys);
      expect(poll.status).toBe(200);
      expect(poll.text).toContain(`round ${rounds}`);
      rounds++;
      // a person's pace, well within one address's own burst (200): the victim must not be
      // refused for its own rate, however fast the machine runs these rounds
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    flooding = false;
    await flood;
    expect(refusals).toEqual([]);
    expect(rounds).toBeGreaterThanOrEqual(3);
    expect(statuses.get(429) ?? 0).toBeGreaterThan(0);
    // the burst (200) and a little refill, nowhere near the table
    expect(statuses.get(200) ?? 0).toBeLessThan(300);
    expect(statuses.get(503) ?? 0).toBe(0);
  });

  it('over the per-address rate, every way of creating a session gets 429 rate_limited with Retry-After; other addresses do not', async () => {
    const server = track(await startServer({ addressHandshakeBurst: 2, addressHandshakeRate: 1 }));
    const referer = { Referer: server.origin + '/' };
    keysOf(await handshakeFrom(server.port, ATTACKER));
    keysOf(await handshakeFrom(server.port, ATTACKER));
    const post = await handshakeFrom(server.port, ATTACKER);
    expectRefusal(post, 429, 'rate_limited');
    expect(post.headers['retry-after']).toBe('1');
    const jsonp = await requestFrom(server.port, { from: ATTACKER, path: '/ferry/v1/handshake?transport=jsonp-polling&cb=__ferry_jsonp_1', headers: referer });
    expectRefusal(jsonp, 429, 'rate_limited');
    const ws = await websocketFrom(server.port, ATTACKER);
    expect('refused' in ws).toBe(true);
    if ('refused' in ws) {
      expectRefusal(ws.refused, 429, 'rate_limited');
      expect(ws.refused.headers['retry-after']).toBe('1');
    }
    // another address has its own bucket
    keysOf(await handshakeFrom(server.port, VICTIM));
    // the bucket refills at its rate: one more handshake a second later
    await new Promise((resolve) => setTimeout(resolve, 1100));
    keysOf(await handshakeFrom(server.port, ATTACKER));
    expect(server.ferry.sessionCount).toBe(4);
  });

  it('the server-wide handshake rate limits all addresses together', async () => {
    const server = track(await startServer({ handshakeBurst: 3, handshakeRate: 1 }));
    keysOf(await handshakeFrom(server.port, ATTACKER));
    keysOf(await handshakeFrom(server.port, VICTIM));
    keysOf(await handshakeFrom(server.port, NEWCOMER));
    const refused = await handshakeFrom(server.port, '127.0.0.5');
    expectRefusal(refused, 429, 'rate_limited');
    expect((refused.json as { message: string }).message).toMatch(/on this server/);
    expect(refused.headers['retry-after']).toBe('1');
  });

  it('an address holding maxSessionsPerAddress live sessions gets 429 too_many_address_sessions until one ends', async () => {
    const server = track(await startServer({ maxSessionsPerAddress: 2 }));
    keysOf(await handshakeFrom(server.port, ATTACKER));
    keysOf(await handshakeFrom(server.port, ATTACKER));
    expectRefusal(await handshakeFrom(server.port, ATTACKER), 429, 'too_many_address_sessions');
    const ws = await websocketFrom(server.port, ATTACKER);
    expect('refused' in ws && ws.refused.status).toBe(429);
    keysOf(await handshakeFrom(server.port, VICTIM));
    server.sockets[0].close();
    keysOf(await handshakeFrom(server.port, ATTACKER));
  });
});

describe('a full table evicts sessions that carried no message', () => {
  it('a newcomer ends the idlest provisional session (4013) instead of being refused; established ones are never evicted', async () => {
    const server = track(await startServer({ maxSessions: 3 }));
    const reasons: string[][] = [];
    server.ferry.on('connection', (socket) => {
      const mine: string[] = [];
      reasons.push(mine);
      socket.on('close', (reason) => mine.push(reason));
    });
    const established = keysOf(await handshakeFrom(server.port, VICTIM));
    expect((await sendMessage(server.port, VICTIM, established)).status).toBe(200);
    const first = keysOf(await handshakeFrom(server.port, ATTACKER));
    const second = keysOf(await handshakeFrom(server.port, ATTACKER));
    // a sign of life from the older provisional session: the other one is now the idlest
    expect((await pollOnce(server.port, ATTACKER, first)).status).toBe(200);
    keysOf(await handshakeFrom(server.port, NEWCOMER));
    expect(reasons[2]).toEqual([expect.stringMatching(/^evicted/)]);
    expect(reasons[0]).toEqual([]);
    expect((await pollOnce(server.port, ATTACKER, second)).status).toBe(404);
    // the established session still has its echo waiting
    const poll = await pollOnce(server.port, VICTIM, established);
    expect(poll.text).toContain('hello');
    // the next newcomer evicts the next idlest provisional session, never the established one
    keysOf(await handshakeFrom(server.port, '127.0.0.5'));
    expect(reasons[1]).toEqual([expect.stringMatching(/^evicted/)]);
    expect(reasons[0]).toEqual([]);
  });

  it('only when no session can be evicted is a handshake refused with 503 too_many_sessions', async () => {
    const server = track(await startServer({ maxSessions: 2 }));
    for (const from of [ATTACKER, VICTIM]) {
      const keys = keysOf(await handshakeFrom(server.port, from));
      expect((await sendMessage(server.port, from, keys)).status).toBe(200);
    }
    expectRefusal(await handshakeFrom(server.port, NEWCOMER), 503, 'too_many_sessions');
    const ws = await websocketFrom(server.port, NEWCOMER);
    expect('refused' in ws && ws.refused.status).toBe(503);
  });

  it('a direct WebSocket session that answers pings but carries no message is evicted with 4013 when the table is full', async () => {
    const server = track(await startServer({ maxSessions: 2, pingInterval: 100, pingTimeout: 1000 }));
    const client = connectClient(server.origin, { transports: ['websocket'], reconnect: false });
    track({ close: async () => client.socket.close() });
    await waitFor(() => client.socket.state === 'open', 'websocket open');
    await new Promise((resolve) => setTimeout(resolve, 350)); // a few pings answered: it is alive
    expect(client.closes).toEqual([]);
    const established = keysOf(await handshakeFrom(server.port, VICTIM));
    expect((await sendMessage(server.port, VICTIM, established)).status).toBe(200);
    keysOf(await handshakeFrom(server.port, NEWCOMER));
    await waitFor(() => client.closes.length === 1, 'the websocket session evicted');
    expect(client.closes[0]).toMatch(/^evicted/);
    expect(CloseCode.EVICTED).toBe(4013);
    expect(server.ferry.sessionCount).toBe(2);
  });
});

describe('sessions that never carried a message expire sooner', () => {
  it('a provisional session ends after provisionalResumeWindow; an established one is kept for resumeWindow', async () => {
    const server = track(await startServer({ resumeWindow: 5000, provisionalResumeWindow: 300 }));
    const provisional = keysOf(await handshakeFrom(server.port, ATTACKER));
    const established = keysOf(await handshakeFrom(server.port, VICTIM));
    expect((await sendMessage(server.port, VICTIM, established)).status).toBe(200);
    const t0 = Date.now();
    await waitFor(() => server.ferry.sessionCount === 1, 'the provisional session to expire', 3000);
    expect(Date.now() - t0).toBeLessThan(1500);
    expect((await pollOnce(server.port, ATTACKER, provisional)).status).toBe(404);
    const poll = await pollOnce(server.port, VICTIM, established);
    expect(poll.status).toBe(200);
    expect(poll.text).toContain('hello');
  });

  it('a provisional session that carries its first message gets the full resume window', async () => {
    const server = track(await startServer({ resumeWindow: 5000, provisionalResumeWindow: 400 }));
    const keys = keysOf(await handshakeFrom(server.port, VICTIM));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await sendMessage(server.port, VICTIM, keys)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(server.ferry.sessionCount).toBe(1);
    expect((await pollOnce(server.port, VICTIM, keys)).text).toContain('hello');
  });
});
