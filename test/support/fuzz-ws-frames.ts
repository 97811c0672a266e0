import type { Rng } from './fuzz-values.js';

/**
 * RFC 6455 frames at the byte level, built by hand so they can break every rule `ws` checks:
 * reserved opcodes and bits, missing masks, lying lengths, fragmented control frames, invalid
 * UTF-8, close frames with odd payloads. And a reader for what the server sends back.
 */

export interface RawFrameSpec {
  fin?: boolean;
  rsv?: number;
  opcode: number;
  payload: Buffer;
  masked?: boolean;
  /** Declared length when it is a lie (or a 64-bit value with the top bit set). */
  length?: bigint;
  /** Use the 16/64-bit length form even for a short payload. */
  longForm?: 16 | 64;
}

export function encodeFrame(spec: RawFrameSpec): Buffer {
  const masked = spec.masked ?? true;
  const length = spec.length ?? BigInt(spec.payload.length);
  const form = spec.longForm ?? (length < 126n ? 7 : length < 65536n ? 16 : 64);
  const head = Buffer.alloc(2 + (form === 16 ? 2 : form === 64 ? 8 : 0) + (masked ? 4 : 0));
  head[0] = ((spec.fin ?? true) ? 0x80 : 0) | ((spec.rsv ?? 0) << 4) | spec.opcode;
  let at = 2;
  if (form === 7) head[1] = Number(length);
  else if (form === 16) { head[1] = 126; head.writeUInt16BE(Number(length & 0xffffn), 2); at = 4; }
  else { head[1] = 127; head.writeBigUInt64BE(length & 0xffffffffffffffffn, 2); at = 10; }
  if (!masked) return Buffer.concat([head, spec.payload]);
  head[1] |= 0x80;
  const mask = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);
  mask.copy(head, at);
  const body = Buffer.from(spec.payload);
  for (let i = 0; i < body.length; i++) body[i] ^= mask[i & 3];
  return Buffer.concat([head, body]);
}

const text = (value: string): Buffer => Buffer.from(value, 'utf8');
const closePayload = (code: number, reason: Buffer = Buffer.alloc(0)): Buffer => {
  const out = Buffer.alloc(2 + reason.length);
  out.writeUInt16BE(code, 0);
  reason.copy(out, 2);
  return out;
};
const INVALID_UTF8 = [Buffer.from([0xff]), Buffer.from([0xc0, 0xaf]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xe2, 0x82]), Buffer.from([0xf4, 0x90, 0x80, 0x80])];

/** A frame the server must accept without closing: a packet, a binary message, a ping. */
export function harmlessWsFrame(rng: Rng, packet: string): { name: string; bytes: Buffer } {
  switch (rng.int(4)) {
    case 0: return { name: 'ping', bytes: encodeFrame({ opcode: 0x9, payload: rng.bytes(rng.int(20)) }) };
    case 1: return { name: 'pong', bytes: encodeFrame({ opcode: 0xa, payload: rng.bytes(rng.int(20)) }) };
    case 2: {
      const bytes = text(packet);
      const cut = rng.int(bytes.length + 1);
      return { name: 'fragmented text', bytes: Buffer.concat([encodeFrame({ fin: false, opcode: 0x1, payload: bytes.subarray(0, cut) }), encodeFrame({ opcode: 0x9, payload: Buffer.alloc(0) }), encodeFrame({ opcode: 0x0, payload: bytes.subarray(cut) })]) };
    }
    default: return { name: 'text', bytes: encodeFrame({ opcode: 0x1, payload: text(packet), longForm: rng.chance(0.1) ? 16 : undefined }) };
  }
}

/**
 * A frame that breaks the framing rules, or a close frame, named for the report. `echo`: a close
 * code the client itself sent, which the server may echo back (RFC 6455 section 5.5.1).
 */
export function hostileWsFrame(rng: Rng, maxPayload: number, packet: string): { name: string; bytes: Buffer; echo?: number } {
  const payload = rng.bytes(rng.int(12));
  switch (rng.int(16)) {
    case 0: return { name: 'reserved opcode', bytes: encodeFrame({ opcode: rng.pick([3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf]), payload }) };
    case 1: return { name: 'reserved bits', bytes: encodeFrame({ opcode: rng.pick([0x1, 0x2, 0x9]), rsv: 1 + rng.int(7), payload: text(packet) }) };
    case 2: return { name: 'unmasked', bytes: encodeFrame({ opcode: rng.pick([0x1, 0x2, 0x8, 0x9]), payload: text(packet), masked: false }) };
    case 3: return { name: '64-bit length, top bit set', bytes: encodeFrame({ opcode: 0x2, payload, length: 0x8000000000000000n + BigInt(rng.int(1000)), longForm: 64 }) };
    case 4: return { name: 'length over maxPayload', bytes: encodeFrame({ opcode: rng.pick([0x1, 0x2]), payload: Buffer.alloc(maxPayload + 1 + rng.int(100), 0x20) }) };
    case 5: return { name: 'declared length over maxPayload', bytes: encodeFrame({ opcode: 0x2, payload, length: BigInt(maxPayload + 1 + rng.int(1 << 20)), longForm: 64 }) };
    case 6: return { name: 'fragmented control frame', bytes: encodeFrame({ fin: false, opcode: rng.pick([0x8, 0x9, 0xa]), payload }) };
    case 7: return { name: 'control frame over 125 bytes', bytes: encodeFrame({ opcode: rng.pick([0x8, 0x9, 0xa]), payload: rng.bytes(126 + rng.int(200)), longForm: 16 }) };
    case 8: return { name: 'continuation without a start', bytes: encodeFrame({ opcode: 0x0, fin: rng.chance(0.5), payload: text(packet) }) };
    case 9: return { name: 'new message inside a fragmented one', bytes: Buffer.concat([encodeFrame({ fin: false, opcode: 0x1, payload: text('[') }), encodeFrame({ opcode: rng.pick([0x1, 0x2]), payload })]) };
    case 10: {
      const bytes = text(packet);
      const at = rng.int(bytes.length + 1);
      return { name: 'invalid UTF-8 text', bytes: encodeFrame({ opcode: 0x1, payload: Buffer.concat([bytes.subarray(0, at), rng.pick(INVALID_UTF8), bytes.subarray(at)]) }) };
    }
    case 11: return { name: 'close, 1-byte payload', bytes: encodeFrame({ opcode: 0x8, payload: Buffer.from([rng.int(256)]) }) };
    case 12: return { name: 'close, invalid code', bytes: encodeFrame({ opcode: 0x8, payload: closePayload(rng.pick([0, 1, 999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000, 65535])) }) };
    case 13: return { name: 'close, reason not UTF-8', bytes: encodeFrame({ opcode: 0x8, payload: closePayload(1000, rng.pick(INVALID_UTF8)) }) };
    case 14: {
      const code = rng.pick([1000, 1001, 1003, 3000, 4000, 4004, 4012, 4999]);
      return { name: 'close, valid code', bytes: encodeFrame({ opcode: 0x8, payload: closePayload(code, text(rng.pick(['', 'bye', 'é'.repeat(61)]))) }), echo: code };
    }
    default: return { name: 'close, no code', bytes: encodeFrame({ opcode: 0x8, payload: Buffer.alloc(0) }) };
  }
}

export interface ServerFrame {
  opcode: number;
  payload: Buffer;
}

/** Reads the server's (unmasked) frames from a byte stream; call `push` with each chunk. */
export class ServerFrameReader {
  #buffer: Buffer = Buffer.alloc(0);
  readonly frames: ServerFrame[] = [];

  push(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    for (;;) {
      const b = this.#buffer;
      if (b.length < 2) return;
      let length = b[1] & 0x7f;
      let at = 2;
      if (length === 126) { if (b.length < 4) return; length = b.readUInt16BE(2); at = 4; }
      else if (length === 127) { if (b.length < 10) return; length = Number(b.readBigUInt64BE(2)); at = 10; }
      if (b.length < at + length) return;
      this.frames.push({ opcode: b[0] & 0x0f, payload: b.subarray(at, at + length) });
      this.#buffer = b.subarray(at + length);
    }
  }

  /** The code of the server's close frame: a number, `'no code'` (empty close), or null (none yet). */
  closeCode(): number | 'no code' | null {
    const close = this.frames.find((f) => f.opcode === 0x8);
    if (close === undefined) return null;
    return close.payload.length >= 2 ? close.payload.readUInt16BE(0) : 'no code';
  }
}
