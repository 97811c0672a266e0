import { decodeBase64, encodeBase64 } from './base64.js';
import type { Handshake } from './version.js';
import { eventNameProblem } from './event-maps.js';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** An application message: any JSON value, or bytes. */
export type AppData = JsonValue | Uint8Array;

/** A decoded frame. On the wire each is a JSON array whose first element names the type. */
export type Frame =
  | { type: 'message'; seq: number; data: AppData }
  /** A named application event (`["e",seq,name,args]`); `ackId` (or null) asks for an answer. */
  | { type: 'event'; seq: number; name: string; args: JsonValue[]; ackId: number | null }
  /** The answer to event `ackId`: its `value`, or `error` (the reason) when its handler failed. */
  | { type: 'answer'; seq: number; ackId: number; value: JsonValue; error: string | null }
  | { type: 'ack'; seq: number }
  | { type: 'ping'; n: number }
  | { type: 'pong'; n: number }
  | { type: 'probe'; nonce: string }
  /** `epoch`: sent by POST, the candidate stream to switch to (a WebSocket candidate switches itself). */
  | { type: 'upgrade'; ack: number; epoch?: number }
  | { type: 'open'; handshake: Handshake }
  | { type: 'close'; code: number; reason: string }
  /** Server → client, in a POST reply: the session has no downstream transport (the stream died). */
  | { type: 'detached' }
  /** Client → server, the first frame of a direct WebSocket: the app's auth payload (null: none). */
  | { type: 'auth'; auth: JsonValue };

/**
 * Thrown by the decoders; `reason` is safe to send back to the peer. Tell one apart with
 * `protocolErrorReason`, not `instanceof`: compiled to ES5, a class extending Error constructs a
 * plain Error, so `instanceof ProtocolError` is false in the legacy bundle.
 */
export class ProtocolError extends Error {
  readonly reason: string;
  constructor(reason: string) {
    super(reason);
    this.name = 'ProtocolError';
    this.reason = reason;
  }
}

/** The reason of a ProtocolError (in any build), or `fallback` for anything else. */
export function protocolErrorReason(e: unknown, fallback: string): string {
  const candidate = e as { name?: unknown; reason?: unknown } | null;
  if (typeof e === 'object' && candidate !== null && candidate.name === 'ProtocolError' && typeof candidate.reason === 'string') return candidate.reason;
  return fallback;
}

const MAX_SEQ = 9007199254740991;

function isSeq(value: unknown): value is number {
  return typeof value === 'number' && value % 1 === 0 && value >= 0 && value <= MAX_SEQ;
}

function isBytes(data: AppData): data is Uint8Array {
  return typeof data === 'object' && data !== null && typeof (data as Uint8Array).byteLength === 'number' && !isArray(data);
}

function isArray(value: unknown): value is unknown[] {
  return Array.isArray(value);
}

export { isBytes };

/** The JSON text of one message frame: `["m",seq,value]` or `["b",seq,"base64"]`. */
export function encodeMessageFrame(seq: number, data: AppData): string {
  if (isBytes(data)) return '["b",' + seq + ',"' + encodeBase64(data) + '"]';
  const json = JSON.stringify(data);
  if (json === undefined) throw new TypeError('message is not JSON-serialisable');
  return '["m",' + seq + ',' + json + ']';
}

export function encodeAck(seq: number): string {
  return '["a",' + seq + ']';
}

export function encodeControl(frame: Exclude<Frame, { type: 'message' | 'event' | 'answer' }>): string {
  switch (frame.type) {
    case 'ack':
      return encodeAck(frame.seq);
    case 'ping':
      return '["ping",' + frame.n + ']';
    case 'pong':
      return '["pong",' + frame.n + ']';
    case 'probe':
      return JSON.stringify(['probe', frame.nonce]);
    case 'upgrade':
      return '["upgrade",' + frame.ack + (frame.epoch === undefined ? ']' : ',' + frame.epoch + ']');
    case 'open':
      return JSON.stringify(['open', frame.handshake]);
    case 'close':
      return JSON.stringify(['close', frame.code, frame.reason]);
    case 'detached':
      return '["detached"]';
    case 'auth':
      return JSON.stringify(['auth', frame.auth]);
  }
}

/** A packet is a JSON array of frames: several frames travel in one HTTP body or WebSocket message. */
export function encodePacket(frameTexts: string[]): string {
  return '[' + frameTexts.join(',') + ']';
}

/**
 * Where a WebSocket connection stands (PROTOCOL.md section 6, "Implicit sequence numbers"): the
 * seq of the last message, event or answer decoded on it, 0 before the first. Given to
 * `decodePacket`, a frame whose seq is 0 gets the seq after that one.
 */
export interface SeqCursor {
  lastSeq: number;
}

/**
 * Parses and validates a packet. Throws ProtocolError on anything malformed. With `cursor` (a
 * WebSocket connection's), a message, event or answer may carry seq 0: the one after the last.
 */
export function decodePacket(text: string, cursor?: SeqCursor): Frame[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ProtocolError('packet is not valid JSON');
  }
  if (!isArray(raw)) throw new ProtocolError('packet must be a JSON array of frames');
  const frames: Frame[] = [];
  for (let i = 0; i < raw.length; i++) frames.push(decodeFrame(raw[i], cursor));
  return frames;
}

/**
 * The seq of a message, event or answer frame whose seq element is `a`, or 0 if `a` is not one.
 * Seq 0 is the one after the last on the cursor's connection (none without a cursor).
 */
function itemSeq(a: unknown, cursor: SeqCursor | undefined): number {
  if (!isSeq(a)) return 0;
  if (cursor === undefined) return a;
  if (a !== 0) return (cursor.lastSeq = a);
  if (cursor.lastSeq === 0) throw new ProtocolError('seq 0 (the next one) before any explicit seq on this connection');
  return ++cursor.lastSeq;
}

function decodeFrame(raw: unknown, cursor: SeqCursor | undefined): Frame {
  if (!isArray(raw) || typeof raw[0] !== 'string') throw new ProtocolError('frame must be an array starting with its type');
  const kind = raw[0];
  const a = raw[1];
  switch (kind) {
    case 'm': {
      const seq = raw.length === 3 ? itemSeq(a, cursor) : 0;
      if (seq === 0) break;
      return { type: 'message', seq, data: raw[2] as JsonValue };
    }
    case 'b': {
      const seq = raw.length === 3 && typeof raw[2] === 'string' ? itemSeq(a, cursor) : 0;
      if (seq === 0) break;
      const bytes = decodeBase64(raw[2] as string);
      if (bytes === null) throw new ProtocolError('binary frame is not valid base64');
      return { type: 'message', seq, data: bytes };
    }
    case 'e':
    case 'r': {
      const seq = itemSeq(a, cursor);
      if (seq === 0) break;
      return kind === 'e' ? decodeEvent(raw, seq) : decodeAnswer(raw, seq);
    }
    case 'a':
      if (raw.length !== 2 || !isSeq(a)) break;
      return { type: 'ack', seq: a };
    case 'ping':
    case 'pong':
      if (raw.length !== 2 || !isSeq(a)) break;
      return { type: kind, n: a };
    case 'probe':
      if (raw.length !== 2 || typeof a !== 'string' || a.length > 64) break;
      return { type: 'probe', nonce: a };
    case 'upgrade':
      if (raw.length === 3 && isSeq(a) && isSeq(raw[2]) && raw[2] > 0) return { type: 'upgrade', ack: a, epoch: raw[2] };
      if (raw.length !== 2 || !isSeq(a)) break;
      return { type: 'upgrade', ack: a };
    case 'open':
      if (raw.length !== 2 || typeof a !== 'object' || a === null) break;
      return { type: 'open', handshake: a as Handshake };
    case 'detached':
      if (raw.length !== 1) break;
      return { type: 'detached' };
    case 'auth':
      if (raw.length !== 2 || a === undefined) break;
      return { type: 'auth', auth: a as JsonValue };
    case 'close':
      if (raw.length !== 3 || !isSeq(a) || typeof raw[2] !== 'string') break;
      return { type: 'close', code: a, reason: raw[2] };
  }
  throw new ProtocolError('malformed or unknown frame "' + String(kind).slice(0, 16) + '"');
}

function decodeEvent(raw: unknown[], seq: number): Frame {
  const name = raw[2];
  const problem = eventNameProblem(name);
  if (problem !== null) throw new ProtocolError('bad event: ' + problem);
  if ((raw.length !== 4 && raw.length !== 5) || !isArray(raw[3])) throw new ProtocolError('bad event: its arguments must be a JSON array');
  const ackId = raw.length === 5 ? raw[4] : null;
  if (raw.length === 5 && (!isSeq(ackId) || ackId === 0)) throw new ProtocolError('bad event: an ack id is an integer from 1 to 2^53 - 1');
  return { type: 'event', seq, name: name as string, args: raw[3] as JsonValue[], ackId: ackId as number | null };
}

function decodeAnswer(raw: unknown[], seq: number): Frame {
  const ackId = raw[2];
  if (!isSeq(ackId) || ackId === 0) throw new ProtocolError('bad answer: an ack id is an integer from 1 to 2^53 - 1');
  if (raw.length === 4) return { type: 'answer', seq, ackId, value: raw[3] as JsonValue, error: null };
  const reason = raw[4];
  if (raw.length !== 5 || raw[3] !== null || typeof reason !== 'string') throw new ProtocolError('bad answer: a failed answer is ["r",seq,id,null,"reason"]');
  if (reason.length > MAX_ANSWER_REASON_LENGTH) throw new ProtocolError('bad answer: a reason is at most ' + MAX_ANSWER_REASON_LENGTH + ' characters');
  return { type: 'answer', seq, ackId, value: null, error: reason };
}

/** Longest failure reason an answer frame may carry, in UTF-16 units. */
export const MAX_ANSWER_REASON_LENGTH = 1000;

/** UTF-8 byte length of a string, without TextEncoder. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}
