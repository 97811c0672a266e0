import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { closeAfterEach, connectClient, range, sequenceOf, startServer, waitFor } from '../support/harness.js';
import { rawHandshake } from '../support/raw-session.js';
import { mulberry32 } from '../support/seeded-random.js';

const track = closeAfterEach();
const SEED = Number(process.env.FERRY_FUZZ_SEED ?? 20261121);

/** Random input shaped like Ferry's: packets of frames of every type, with hostile fields and damage. */
function fuzzer(seed: number) {
  const random = mulberry32(seed);
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)];
  const strings = ['', 'x', '</script>', '\u2028', '𝄞', '\\', '"', '%00', 'AAEC/w==', '!!!', 'a'.repeat(300)];
  const numbers = [0, 1, 2, -1, 1.5, 2 ** 53, 2 ** 53 + 2, 1e308, -0, 4006, 1000, 99999];
  const value = (depth: number): unknown => {
    switch (int(depth > 2 ? 4 : 6)) {
      case 0: return pick(numbers);
      case 1: return pick(strings);
      case 2: return pick([null, true, false]);
      case 3: return int(1000);
      case 4: return Array.from({ length: int(4) }, () => value(depth + 1));
      default: return Object.fromEntries(Array.from({ length: int(3) }, () => [pick(strings), value(depth + 1)]));
    }
  };
  const frame = (): unknown => {
    const type = pick(['m', 'b', 'a', 'ping', 'pong', 'probe', 'upgrade', 'open', 'close', 'detached', 'zz', 1, null]);
    return [type, ...Array.from({ length: int(4) }, () => value(1))];
  };
  const packet = (): string => {
    const text = JSON.stringify(int(8) === 0 ? value(0) : Array.from({ length: int(6) }, frame));
    switch (int(6)) {
      case 0: return text.slice(0, int(text.length + 1)); // truncated
      case 1: { const i = int(text.length); return text.slice(0, i) + pick(['[', ']', ',', '"', '}', '\u0000']) + text.slice(i + 1); }
      default: return text;
    }
  };
  const junk = (): string => pick(['', '0', '1', '-1', '1.5', 'x', '99999999999999999999', '%', '../', '<script>', '__ferry_jsonp_1', '1;alert(1)']);
  const valid: Record<string, () => string> = {
    e: () => String(1 + int(3)),
    ack: () => String(int(3)),
    hb: () => pick(['0', '1500', '60000']),
    c: () => String(int(1000)),
    cb: () => '__ferry_jsonp_' + int(1000),
  };
  /** `name=value` pairs: mostly valid values, so requests get past the first check; sometimes junk. */
  const params = (names: string[]): string => names.map((name) => `${name}=${encodeURIComponent(int(5) === 0 ? junk() : valid[name]())}`).join('&');
  return { int, pick, packet, junk, params };
}

describe(`fuzzing with seed ${SEED} (replay with FERRY_FUZZ_SEED)`, () => {
  it('mangled packets and parameters get 200 or a 4xx JSON error, and a bystander session is untouched', async () => {
    const server = track(await startServer());
    const bystander = connectClient(server.origin, { transports: ['xhr-polling'] });
    track({ close: async () => bystander.socket.close() });
    await waitFor(() => bystander.socket.state === 'open', 'bystander');
    const f = fuzzer(SEED);
    let sent = 0;
    const statuses = new Map<number, number>();
    const errors = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const hs = f.int(5) === 0 ? { sid: f.junk(), token: f.junk() } : await rawHandshake(server);
      const [target, names] = f.pick([
        ['send', []],
        ['poll', ['e', 'ack', 'hb']],
        ['jsonp', ['e', 'ack', 'hb', 'cb']],
        ['iframe', ['e', 'ack', 'hb', 'c']],
        ['eventsource', ['e', 'ack', 'hb']],
        ['xhr-stream', ['e', 'ack', 'hb']],
        ['handshake', ['cb']],
        ['nothing', ['e']],
      ] as const);
      const params = `sid=${encodeURIComponent(hs.sid)}&t=${encodeURIComponent(hs.token)}&${f.params([...names])}`;
      const res = target === 'send'
        ? await request(server.http).post(`/ferry/v1/send?${params}`).set('Content-Type', f.pick(['text/plain', 'application/x-www-form-urlencoded', 'application/json'])).send(f.packet())
        : await request(server.http).get(`/ferry/v1/${target}?${params}`).timeout({ response: 5000, deadline: 300 }).ok(() => true).catch(() => null);
      if (res === null) continue; // a held stream or poll that the deadline cut: fine
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (res.status >= 400) {
        expect(res.status).toBeLessThan(500);
        expect(res.headers['content-type']).toMatch(/^application\/json/);
        const body = JSON.parse(res.text) as { error: unknown };
        expect(typeof body.error).toBe('string');
        errors.add(String(body.error));
      }
      if (i % 25 === 0) bystander.socket.send({ n: ++sent });
    }
    // the fuzz reached both sides of the checks: some input was accepted, several kinds refused
    expect(statuses.get(200) ?? 0).toBeGreaterThan(10);
    expect([...errors].sort()).toEqual(expect.arrayContaining(['bad_request', 'malformed_packet', 'unknown_session']));
    await waitFor(() => bystander.received.length === sent, 'the bystander echoes');
    expect(sequenceOf(bystander.received)).toEqual(range(sent));
    expect(bystander.closes).toEqual([]);
  }, 60_000);

  it('mangled WebSocket messages close only their own connection, with a Ferry or WebSocket close code', async () => {
    const server = track(await startServer({ maxMessageSize: 4096 }));
    const bystander = connectClient(server.origin, { transports: ['websocket'] });
    track({ close: async () => bystander.socket.close() });
    await waitFor(() => bystander.socket.state === 'open', 'bystander');
    const f = fuzzer(SEED + 1);
    let refused = 0;
    for (let i = 0; i < 80; i++) {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ferry/v1/ws`);
      await new Promise((resolve) => ws.once('message', resolve)); // the open frame
      const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
      for (let k = 0; k < 1 + f.int(3); k++) {
        if (f.int(4) === 0) ws.send(Buffer.from(Array.from({ length: f.int(20) }, () => f.int(256))));
        else ws.send(f.packet());
      }
      ws.send('[["m",1,"valid"]]'); // if nothing above broke the stream, this is accepted
      const code = await Promise.race([closed, new Promise<number>((resolve) => setTimeout(() => resolve(0), 200))]);
      if (code !== 0) {
        refused++;
        expect(code === 1009 || code === 1002 || code === 1007 || (code >= 4000 && code < 5000)).toBe(true);
      }
      ws.terminate();
      if (i % 10 === 0) bystander.socket.send({ n: i });
    }
    expect(refused).toBeGreaterThan(10);
    await waitFor(() => bystander.received.length === 8, 'the bystander echoes');
    expect(bystander.received).toEqual(range(8).map((k) => ({ n: (k - 1) * 10 })));
    expect(bystander.closes).toEqual([]);
  }, 60_000);
});
