import net from 'node:net';
import { WebSocket } from 'ws';
import type { Slot } from './fuzz-http.js';
import { ServerFrameReader, harmlessWsFrame, hostileWsFrame } from './fuzz-ws-frames.js';
import { junk, packetText, type Rng } from './fuzz-values.js';

/**
 * WebSocket inputs: whole packets and binary messages over connections upgraded by the `ws`
 * client (direct sessions and candidates joining a pool session), and raw frames written to a
 * `net` socket after an upgrade done by hand, with mangled upgrade requests besides.
 */

/** What one connection saw. `inputs`: messages or frames sent, the upgrade request included. */
export interface WsOutcome {
  inputs: number;
  /** A refused upgrade: its status and body. */
  refused?: { status: number; contentType: string; body: string };
  /** The close code the client saw (ws client), or the code of the server's close frame (raw). */
  closeCode: number | 'no code' | 'cut' | 'open';
  /** The client sent a close frame with this code; the server may echo it. */
  echo?: number;
  /** What was sent, for a failure message. */
  sent: string[];
  /** The upgrade carried a foreign `Origin`: it must be refused. */
  foreign?: boolean;
}

export interface WsFuzzContext {
  port: number;
  path: string;
  origin: string;
  maxPayload: number;
  /** How long to wait for the server's reaction after the last input. */
  settleMs: number;
}

/** A binary WebSocket message: Ferry's `b` + float64 seq + payload, or a damaged one. */
function binaryMessage(rng: Rng, seq: number): { bytes: Buffer; valid: boolean } {
  const payload = rng.bytes(rng.int(16));
  if (rng.chance(0.6)) {
    const head = Buffer.alloc(9);
    head[0] = 0x62;
    head.writeDoubleBE(seq, 1);
    return { bytes: Buffer.concat([head, payload]), valid: true };
  }
  const head = Buffer.alloc(9);
  head[0] = rng.pick([0x62, 0x62, 0x61, 0x00, 0x5b]);
  head.writeDoubleBE(rng.pick([0, -1, 1.5, 2 ** 53, NaN, Infinity, seq + 1, seq - 1]), 1);
  return { bytes: rng.chance(0.3) ? head.subarray(0, rng.int(9)) : Buffer.concat([head, payload]), valid: false };
}

function upgradeQuery(rng: Rng, slot: Slot | null): string {
  if (slot === null) return rng.chance(0.05) ? '?sid=' : '';
  const e = rng.weighted([[8, String(++slot.epoch)], [1, '0'], [1, junk(rng)]] as const);
  const parts = [['sid', rng.chance(0.9) ? slot.sid : junk(rng)], ['t', rng.chance(0.9) ? slot.token : junk(rng)], ['e', e]];
  if (rng.chance(0.3)) parts.push(['hb', rng.pick(['0', '1500', junk(rng)])]);
  return '?' + parts.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
}

/** A `ws` client connection: a direct session (slot null) or a candidate for `slot`'s session. */
export function wsClientConnection(rng: Rng, ctx: WsFuzzContext, slot: Slot | null): Promise<WsOutcome> {
  const route = rng.weighted([[20, '/v1/ws'], [1, '/v2/ws'], [1, '/v1/wss'], [1, '/v1/ws/']] as const);
  const url = `ws://127.0.0.1:${ctx.port}${ctx.path}${route}${upgradeQuery(rng, slot)}`;
  const headers: Record<string, string> = {};
  if (rng.chance(0.15)) headers.Origin = rng.pick([ctx.origin, 'https://evil.example', 'null']);
  const outcome: WsOutcome = { inputs: 1, closeCode: 'open', sent: [`upgrade ${url} ${JSON.stringify(headers)}`], foreign: headers.Origin !== undefined && headers.Origin !== ctx.origin };
  const ws = new WebSocket(url, { headers, perMessageDeflate: false });
  const count = 1 + rng.int(6);
  let nextSeq = 1;
  return new Promise((resolve) => {
    let settle: NodeJS.Timeout | undefined;
    const done = (): void => {
      clearTimeout(settle);
      clearTimeout(limit);
      ws.terminate();
      resolve(outcome);
    };
    const limit = setTimeout(done, 10_000);
    ws.on('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        outcome.refused = { status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks).toString('utf8') };
        done();
      });
      res.on('error', done);
    });
    ws.on('error', () => {});
    ws.on('close', (code) => {
      outcome.closeCode = code;
      done();
    });
    const sendAll = (): void => {
      if (slot !== null) {
        const first = rng.weighted([[4, `[["probe","${slot.epoch}"]]`], [4, `[["upgrade",0]]`], [1, `[["probe","${slot.epoch}"],["upgrade",0],["m",${slot.nextSeq},"x"]]`], [1, packetText(rng, slot).text]] as const);
        ws.send(first);
        outcome.sent.push(first);
        outcome.inputs++;
        nextSeq = slot.nextSeq;
      }
      for (let i = 0; i < count; i++) {
        if (rng.chance(0.25)) {
          const { bytes, valid } = binaryMessage(rng, nextSeq);
          if (valid) nextSeq++;
          ws.send(bytes);
          outcome.sent.push('binary ' + bytes.toString('hex'));
        } else {
          const { text, messages } = packetText(rng, { nextSeq }, rng.chance(0.5));
          nextSeq += messages;
          ws.send(text);
          outcome.sent.push(text.slice(0, 300));
        }
        outcome.inputs++;
      }
      settle = setTimeout(() => {
        if (rng.chance(0.7)) ws.close(); // a goodbye without a status code: the server echoes none (1005)
        else done();
      }, ctx.settleMs);
    };
    if (slot === null) ws.once('message', sendAll); // the `open` frame
    else ws.once('open', sendAll);
  });
}

/** Upgrade requests, valid or mangled in the ways `ws` and Ferry check. */
function rawUpgradeRequest(rng: Rng, ctx: WsFuzzContext): { text: string; foreign: boolean } {
  const mangle = rng.weighted([[12, 'none'], [1, 'short key'], [1, 'bad version'], [1, 'empty subprotocol'], [1, 'no key'], [1, 'version'], [1, 'foreign origin']] as const);
  const key = mangle === 'short key' ? 'c2hvcnQ=' : Buffer.from(rng.bytes(16)).toString('base64');
  const lines = [
    `GET ${ctx.path}${rng.chance(0.95) ? '/v1/ws' : rng.pick(['/v3/ws', '/v1/x'])} HTTP/1.1`,
    `Host: 127.0.0.1:${ctx.port}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Version: ${mangle === 'bad version' ? rng.pick(['8', '14', 'x', '']) : '13'}`,
  ];
  if (mangle !== 'no key') lines.push(`Sec-WebSocket-Key: ${key}`);
  if (mangle === 'empty subprotocol') lines.push(`Sec-WebSocket-Protocol: ${rng.pick(['a,,b', ',', 'a, ', ''])}`);
  if (mangle === 'version') lines[0] = lines[0].replace('/v1/', '/v2/');
  if (mangle === 'foreign origin') lines.push('Origin: https://evil.example');
  return { text: lines.join('\r\n') + '\r\n\r\n', foreign: mangle === 'foreign origin' };
}

/**
 * A raw connection: a (maybe mangled) upgrade, then harmless frames (a packet, pings, a
 * fragmented message) and usually one hostile frame, written as bytes. Reads the server's
 * answer: the refusal, or its close frame.
 */
export function rawConnection(rng: Rng, ctx: WsFuzzContext): Promise<WsOutcome> {
  const { text: request, foreign } = rawUpgradeRequest(rng, ctx);
  const outcome: WsOutcome = { inputs: 1, closeCode: 'cut', sent: [request.split('\r\n').join(' | ')], foreign };
  const socket = net.connect(ctx.port, '127.0.0.1');
  const reader = new ServerFrameReader();
  let head = Buffer.alloc(0);
  let upgraded = false;
  return new Promise((resolve) => {
    let settle: NodeJS.Timeout | undefined;
    const done = (): void => {
      clearTimeout(settle);
      clearTimeout(limit);
      socket.destroy();
      if (outcome.refused === undefined && upgraded) {
        const code = reader.closeCode();
        outcome.closeCode = code === null ? 'cut' : code;
      } else if (!upgraded && outcome.refused === undefined) {
        const text = head.toString('latin1');
        const split = text.indexOf('\r\n\r\n');
        const type = /\r\ncontent-type: *([^\r\n]*)/i.exec(text);
        outcome.refused = { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), contentType: type?.[1] ?? '', body: split < 0 ? '' : Buffer.from(text.slice(split + 4), 'latin1').toString('utf8') };
      }
      resolve(outcome);
    };
    const limit = setTimeout(done, 10_000);
    const sendFrames = (): void => {
      let seq = 1;
      const harmless = rng.int(4);
      const frames: Buffer[] = [];
      for (let i = 0; i < harmless; i++) {
        const packet = rng.chance(0.5) ? { text: `[["m",${seq},"ok"]]`, messages: 1 } : packetText(rng, { nextSeq: seq }, false);
        const frame = harmlessWsFrame(rng, packet.text);
        if (frame.name.endsWith('text')) seq += packet.messages;
        frames.push(frame.bytes);
        outcome.sent.push(frame.name);
      }
      if (rng.chance(0.85)) {
        const frame = hostileWsFrame(rng, ctx.maxPayload, `[["m",${seq},"x"]]`);
        frames.push(frame.bytes);
        outcome.sent.push(frame.name);
        outcome.echo = frame.echo;
      }
      outcome.inputs += frames.length;
      // all at once, or byte by byte in a few pieces: the parser must not care
      if (rng.chance(0.8)) socket.write(Buffer.concat(frames));
      else {
        const bytes = Buffer.concat(frames);
        for (let at = 0, step = 1; at < bytes.length; at += step, step = 1 + rng.int(7)) socket.write(bytes.subarray(at, at + step));
      }
      settle = setTimeout(done, ctx.settleMs);
    };
    socket.on('data', (chunk: Buffer) => {
      if (upgraded) {
        reader.push(chunk);
        if (reader.closeCode() !== null) done();
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      if (!head.subarray(0, 12).toString('latin1').startsWith('HTTP/1.1 101')) return; // a refusal: read to the end
      upgraded = true;
      reader.push(head.subarray(end + 4));
      sendFrames();
    });
    socket.on('error', () => {});
    socket.on('close', done);
    socket.write(request);
  });
}
