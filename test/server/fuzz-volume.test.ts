import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { CloseCode, HttpError, type TransportName } from '../../protocol/index.js';
import { describeInput, httpInput, poolHandshake, type HttpFuzzContext, type HttpInput, type Slot } from '../support/fuzz-http.js';
import { sendHttp, type HttpAnswer } from '../support/fuzz-http-client.js';
import { Rng } from '../support/fuzz-values.js';
import { rawConnection, wsClientConnection, type WsFuzzContext, type WsOutcome } from '../support/fuzz-ws.js';
import { connectClient, range, sequenceOf, waitFor, type RecordingClient } from '../support/harness.js';
import { startServerProcess, type ServerProcess } from '../support/server-process-parent.js';
import { ALL_TRANSPORTS } from '../support/transports.js';

/**
 * A seeded fuzzer over every route and frame type, at volume: 100,000+ inputs against a server in
 * a process of its own, while a control session on each transport exchanges numbered messages.
 * Every answer must be documented: HTTP errors are 4xx JSON bodies whose `error` is a key of
 * `HttpError` with that key's status, WebSocket close codes are `CloseCode` values or the codes
 * `ws` uses for malformed input. A failure lists the offending inputs; the seed replays the run
 * (concurrency makes the interleaving differ, but each input is drawn from the seed and its index).
 */
const SEED = Number(process.env.FERRY_FUZZ_SEED ?? 20261204);
/** Inputs in all (FERRY_FUZZ_INPUTS for a shorter replay; the coverage checks need about 20,000). */
const INPUTS = Number(process.env.FERRY_FUZZ_INPUTS ?? 100_000);
/** WebSocket messages and frames (a few per connection); the rest are HTTP requests. */
const WS_INPUTS = Math.round(INPUTS * 0.12);
const HTTP_INPUTS = INPUTS - WS_INPUTS;
const HTTP_CONCURRENCY = 48;
const WS_CONCURRENCY = 16;
const POOL = 96;
const MAX_MESSAGE_SIZE = 16 * 1024;

/** The input with this index always draws from the same stream, whatever ran before it. */
const rngFor = (stream: number, index: number) => new Rng((SEED ^ Math.imul(index + 1, 0x9e3779b1) ^ Math.imul(stream, 0x85ebca6b)) >>> 0);

/** `ws`'s own close codes for malformed input (1002 protocol error, 1007 invalid UTF-8, 1009 too big), and 1000. */
const WS_LIBRARY_CODES = [1000, 1002, 1007, 1009];

/**
 * Whether a request shows it comes from a page of the server's own origin (PROTOCOL.md section
 * 13, `allowedOrigins: 'same-origin'`): `Sec-Fetch-Site: same-origin`, or else an `Origin`, or
 * else a Referer, whose host is the request's `Host`.
 */
function provesOwnOrigin(input: HttpInput, serverHost: string): boolean {
  const { Origin: origin, Referer: referer, Host: host = serverHost } = input.headers;
  const hostOf = (url: string): string | null => {
    try {
      return new URL(url).host;
    } catch {
      return null;
    }
  };
  // the browser sets Sec-Fetch-Site and no page can forge it: same-origin proves the page, whatever
  // else the request claims (only a non-browser client sends it beside a foreign Origin)
  if (input.headers['Sec-Fetch-Site'] === 'same-origin') return true;
  if (origin !== undefined && origin !== '') return hostOf(origin) === host;
  return referer !== undefined && referer !== '' && hostOf(referer) === host;
}

class Findings {
  constructor(readonly host: string) {}

  readonly violations: string[] = [];
  readonly seen = new Map<string, number>();
  /** Fuzz inputs checked; the pool's own handshakes are checked too but counted apart. */
  inputs = 0;
  poolHandshakes = 0;
  cut = 0;

  count(key: string): void {
    this.seen.set(key, (this.seen.get(key) ?? 0) + 1);
  }

  violation(text: string): void {
    if (this.violations.length < 40) this.violations.push(text);
    else this.violations[39] = `… and more (the last: ${text})`;
  }

  /** Checks a JSON error answer; returns its code. */
  errorBody(where: string, status: number, contentType: string, body: string): string | null {
    if (!contentType.startsWith('application/json')) return this.violation(`${where}: ${status} with Content-Type ${JSON.stringify(contentType)}: ${body.slice(0, 200)}`), null;
    let parsed: { error?: unknown; message?: unknown };
    try {
      parsed = JSON.parse(body) as typeof parsed;
    } catch {
      return this.violation(`${where}: ${status} body is not JSON: ${body.slice(0, 200)}`), null;
    }
    const code = String(parsed.error);
    const table = HttpError as Readonly<Record<string, number>>;
    if (!Object.hasOwn(table, code)) this.violation(`${where}: undocumented error ${JSON.stringify(parsed.error)} (${status})`);
    else if (table[code] !== status) this.violation(`${where}: ${code} answered with ${status}, HttpError says ${table[code]}`);
    if (typeof parsed.message !== 'string') this.violation(`${where}: error body without a message: ${body.slice(0, 200)}`);
    return code;
  }

  errorHead(where: string, status: number, contentType: string): string {
    if (!contentType.startsWith('application/json')) this.violation(`${where}: ${status} with Content-Type ${JSON.stringify(contentType)}`);
    return 'HEAD';
  }

  http(input: HttpInput, answer: HttpAnswer): string | null {
    if (input.kind === 'pool-handshake') this.poolHandshakes++;
    else this.inputs++;
    const where = `HTTP ${describeInput(input)}`;
    if (answer.cut) return (this.cut++, this.count(`${input.kind} cut`), null);
    if (answer.status === null) return (this.violation(`${where}: ${answer.failure}`), null);
    const { status } = answer;
    if (status >= 500) return (this.violation(`${where}: ${status} ${answer.body.slice(0, 200)}`), null);
    if (status >= 400) {
      // a non-numeric Content-Length is refused by Node's HTTP parser before Ferry sees the request
      // Node's HTTP parser refuses a request whose framing it cannot read (400, not JSON) before Ferry sees it
      const byNode = input.unparsable && status === 400 && !answer.contentType.startsWith('application/json');
      // a HEAD answer has no body: its Content-Type still says JSON
      const code = byNode ? 'node-parser' : input.method === 'HEAD' ? this.errorHead(where, status, answer.contentType) : this.errorBody(where, status, answer.contentType, answer.body);
      this.count(`${input.kind} ${status} ${code}`);
      this.count(`error ${code}`);
      return code;
    }
    if (![200, 204, 304].includes(status)) this.violation(`${where}: unexpected status ${status}`);
    if (status === 200 && input.scriptReadable && !provesOwnOrigin(input, this.host)) this.violation(`${where}: a script any page can read, for a request that did not prove its origin`);
    this.count(`${input.kind} ${status}`);
    return null;
  }

  ws(kind: string, outcome: WsOutcome): void {
    this.inputs += outcome.inputs;
    const where = `${kind} [${outcome.sent.join(' ; ')}]`;
    if (outcome.foreign && !outcome.refused) this.violation(`${where}: a foreign Origin got a WebSocket`);
    if (outcome.refused) {
      const { status, contentType, body } = outcome.refused;
      if (status >= 500 || status < 400) this.violation(`${where}: refused with ${status}: ${body.slice(0, 200)}`);
      else this.count(`${kind} refused ${this.errorBody(where, status, contentType, body)}`);
      return;
    }
    const code = outcome.closeCode;
    this.count(`${kind} close ${code}`);
    if (typeof code !== 'number') return; // no close frame (cut, still open, or an empty close echoing ours)
    const documented = (Object.values(CloseCode) as number[]).includes(code) || WS_LIBRARY_CODES.includes(code);
    // the ws client reports 1005 for a close frame without a code (the echo of ours) and 1006 for a cut connection
    const local = kind === 'ws-client' && (code === 1005 || code === 1006);
    if (!documented && !local && code !== outcome.echo) this.violation(`${where}: close code ${code}`);
  }
}

/** Live sessions most inputs authenticate with, so they reach the transports; an ended one is replaced. */
class SessionPool {
  readonly slots: Slot[] = Array.from({ length: POOL }, () => ({ sid: 'none', token: 'none', epoch: 0, nextSeq: 1, busy: false, dead: true }));

  constructor(
    readonly ctx: HttpFuzzContext,
    readonly agent: http.Agent,
    readonly port: number,
    readonly findings: Findings,
  ) {}

  /** The first free slot from `index` on (there are more slots than workers), live if a handshake allows. */
  async acquire(index: number): Promise<Slot> {
    let at = index % POOL;
    while (this.slots[at].busy) at = (at + 1) % POOL;
    const slot = this.slots[at];
    slot.busy = true;
    if (slot.dead) {
      const input = poolHandshake(this.ctx);
      const answer = await sendHttp(this.agent, this.port, input, 0);
      this.findings.http(input, answer);
      // refused (e.g. rate_limited): the slot stays dead and its inputs get 404, which is fine too
      if (!answer.cut && answer.status === 200) {
        const hs = JSON.parse(answer.body) as { sid: string; token: string };
        Object.assign(slot, { sid: hs.sid, token: hs.token, epoch: 0, nextSeq: 1, dead: false });
      }
    }
    return slot;
  }
}

const ENDS_SESSION = new Set(['unknown_session', 'malformed_packet', 'payload_too_large', 'request_timeout']);

async function fuzzHttp(pool: SessionPool): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < HTTP_INPUTS) {
      const index = next++;
      const rng = rngFor(1, index);
      // now and then an input races another one on the same session: two sends, a send and a takeover
      const shared = rng.chance(0.05) ? pool.slots.find((s) => s.busy && !s.dead) : undefined;
      const slot = shared ?? (await pool.acquire(index));
      const input = httpInput(rng, pool.ctx, slot, pool.slots[rng.int(POOL)]);
      const answer = await sendHttp(pool.agent, pool.port, input, 40);
      const code = pool.findings.http(input, answer);
      if (!answer.cut && answer.status === 200 && input.kind.endsWith('send')) slot.nextSeq += input.messages;
      if (code !== null && ENDS_SESSION.has(code)) slot.dead = true;
      if (input.kind.endsWith('send') && input.body?.includes('"close"')) slot.dead = true;
      if (shared === undefined) slot.busy = false;
    }
  };
  await Promise.all(Array.from({ length: HTTP_CONCURRENCY }, worker));
}

async function fuzzWebSocket(pool: SessionPool): Promise<void> {
  const ctx: WsFuzzContext = { port: pool.port, path: '/ferry', origin: pool.ctx.origin, maxPayload: MAX_MESSAGE_SIZE, settleMs: 30 };
  let next = 0;
  let inputs = 0;
  const worker = async (): Promise<void> => {
    while (inputs < WS_INPUTS) {
      const index = next++;
      const rng = rngFor(2, index);
      const kind = rng.weighted([[5, 'raw'], [3, 'direct'], [2, 'candidate']] as const);
      let outcome: WsOutcome;
      if (kind === 'raw') outcome = await rawConnection(rng, ctx);
      else if (kind === 'direct') outcome = await wsClientConnection(rng, ctx, null);
      else {
        // a candidate for a pool session (half the time one that HTTP inputs are using at the same
        // moment): it may take the session over or end it, so the slot is replaced after
        const shared = rng.chance(0.5) ? pool.slots.find((s) => s.busy && !s.dead) : undefined;
        const slot = shared ?? (await pool.acquire(index * 7));
        outcome = await wsClientConnection(rng, ctx, slot);
        slot.dead = true;
        if (shared === undefined) slot.busy = false;
      }
      inputs += outcome.inputs;
      pool.findings.ws(kind === 'raw' ? 'raw' : 'ws-client', outcome);
    }
  };
  await Promise.all(Array.from({ length: WS_CONCURRENCY }, worker));
}

/** One control session per transport, sending `{n}` every few ms for as long as the fuzz runs. */
function startControls(origin: string): { clients: Map<TransportName, RecordingClient>; sent: Map<TransportName, number>; stop(): void } {
  const clients = new Map<TransportName, RecordingClient>();
  const sent = new Map<TransportName, number>();
  for (const name of ALL_TRANSPORTS) {
    clients.set(name, connectClient(origin, { transports: [name] }));
    sent.set(name, 0);
  }
  const timer = setInterval(() => {
    for (const [name, client] of clients) {
      if (client.socket.state !== 'open' && sent.get(name) === 0) continue;
      const n = (sent.get(name) ?? 0) + 1;
      sent.set(name, n);
      client.socket.send({ n });
    }
  }, 25);
  return { clients, sent, stop: () => clearInterval(timer) };
}

let server: ServerProcess | undefined;
let controls: ReturnType<typeof startControls> | undefined;
afterEach(async () => {
  controls?.stop();
  for (const client of controls?.clients.values() ?? []) client.socket.close();
  controls = undefined;
  await server?.close();
  server = undefined;
});

describe(`volume fuzzing with seed ${SEED} (replay with FERRY_FUZZ_SEED)`, () => {
  it(`${INPUTS} inputs over HTTP and WebSocket get only documented answers; the server stays up and six control sessions lose nothing`, async () => {
    server = await startServerProcess({
      maxMessageSize: MAX_MESSAGE_SIZE,
      // the fuzz's own session pool and its handshakes must not be what is refused
      maxSessions: 200_000,
      maxSessionsPerAddress: 200_000,
      addressHandshakeBurst: 100_000,
      addressHandshakeRate: 100_000,
      handshakeBurst: 100_000,
      handshakeRate: 100_000,
    });
    controls = startControls(server.origin);
    for (const [name, client] of controls.clients) await waitFor(() => client.socket.state === 'open', `the ${name} control session`);
    const findings = new Findings(`127.0.0.1:${server.port}`);
    const agent = new http.Agent({ keepAlive: true, maxSockets: HTTP_CONCURRENCY * 2 });
    const pool = new SessionPool({ path: '/ferry', origin: server.origin, host: `127.0.0.1:${server.port}` }, agent, server.port, findings);
    const started = Date.now();
    const took = (run: Promise<void>) => run.then(() => Date.now() - started);
    const [httpMs, wsMs] = await Promise.all([took(fuzzHttp(pool)), took(fuzzWebSocket(pool))]);
    agent.destroy();
    controls.stop();

    const stats = await Promise.race([server.stats(), new Promise<null>((resolve) => setTimeout(() => resolve(null), 5_000))]);
    const summary = [...findings.seen].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}: ${v}`).join('\n');
    console.log(`seed ${SEED}: ${findings.inputs} inputs and ${findings.poolHandshakes} pool handshakes (${findings.cut} cut); HTTP done in ${httpMs} ms, WebSocket in ${wsMs} ms; controls sent ${JSON.stringify([...controls.sent])}; server ${JSON.stringify(stats)}\n${summary}`);
    expect(server.death(), server.stderr()).toBeNull();
    expect(stats).not.toBeNull();
    expect(findings.violations).toEqual([]);
    expect(findings.inputs).toBeGreaterThanOrEqual(INPUTS);

    // the fuzz reached past authentication into every route, and both sides of every check
    for (const kind of ['send', 'form-send', 'poll', 'jsonp', 'iframe', 'eventsource', 'xhr-stream', 'handshake', 'jsonp-handshake', 'relay-page']) {
      expect(findings.seen.get(`${kind} 200`) ?? 0, `${kind} accepted`).toBeGreaterThan(10);
    }
    expect(findings.seen.get('preflight 204') ?? 0).toBeGreaterThan(10);
    for (const code of ['bad_request', 'malformed_packet', 'unsupported_version', 'invalid_token', 'origin_not_allowed', 'unknown_session', 'not_found', 'method_not_allowed', 'stale_transport', 'payload_too_large']) {
      expect(findings.seen.get(`error ${code}`) ?? 0, code).toBeGreaterThan(0);
    }
    for (const code of [4004, 1002, 1007, 1009]) expect(findings.seen.get(`raw close ${code}`) ?? 0, `raw close ${code}`).toBeGreaterThan(0);

    for (const [name, client] of controls.clients) {
      const sent = controls.sent.get(name) ?? 0;
      expect(sent, name).toBeGreaterThan(100);
      await waitFor(() => client.received.length >= sent, `the ${name} control session's echoes`, 20_000);
      expect(sequenceOf(client.received), name).toEqual(range(sent));
      expect(client.closes, name).toEqual([]);
    }
  }, 150_000);
});
