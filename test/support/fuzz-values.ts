import { mulberry32 } from './seeded-random.js';

/** A seeded source of choices; every fuzz input is drawn from one, so a seed replays a run. */
export class Rng {
  readonly #next: () => number;

  constructor(seed: number) {
    this.#next = mulberry32(seed);
  }

  /** An integer in 0…n−1. */
  int(n: number): number {
    return Math.floor(this.#next() * n);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.#next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  /** One of `choices`, each `[weight, value]`. */
  weighted<T>(choices: ReadonlyArray<readonly [number, T]>): T {
    let total = 0;
    for (const [weight] of choices) total += weight;
    let at = this.#next() * total;
    for (const [weight, value] of choices) {
      at -= weight;
      if (at < 0) return value;
    }
    return choices[choices.length - 1][1];
  }

  bytes(length: number): Buffer {
    const out = Buffer.allocUnsafe(length);
    for (let i = 0; i < length; i++) out[i] = this.int(256);
    return out;
  }
}

/** Strings that break naive framing, escaping, parsing or length checks. */
export const HOSTILE_STRINGS: readonly string[] = [
  '', 'x', '</script>', '<!--', '\u2028\u2029', '𝄞', '\ud800', '\\', '"', "'", '%00', '%', '\u0000', '\r\n', '\n\n',
  'AAEC/w==', 'AAEC/w=', '!!!', 'a'.repeat(65), 'a'.repeat(300), '__proto__', 'constructor', 'd=1&d=2', '1;alert(1)',
  '__ferry_jsonp_1', '9007199254740993', 'NaN', '-1', 'null',
];

const HOSTILE_NUMBERS: readonly number[] = [0, 1, 2, 3, -1, 1.5, -0, 2 ** 53 - 1, 2 ** 53, 2 ** 53 + 2, 1e308, 4006, 1000, 99999, 0.1];

/** Any JSON value, nested, biased to the hostile ones. */
export function jsonValue(rng: Rng, depth = 0): unknown {
  switch (rng.int(depth > 2 ? 4 : 6)) {
    case 0: return rng.pick(HOSTILE_NUMBERS);
    case 1: return rng.pick(HOSTILE_STRINGS);
    case 2: return rng.pick([null, true, false]);
    case 3: return rng.int(1000);
    case 4: return Array.from({ length: rng.int(4) }, () => jsonValue(rng, depth + 1));
    default: return Object.fromEntries(Array.from({ length: rng.int(3) }, () => [rng.pick(HOSTILE_STRINGS), jsonValue(rng, depth + 1)]));
  }
}

/** Every frame type of PROTOCOL.md section 5 (and some that are not), with valid or hostile fields. */
export const FRAME_TYPES: readonly string[] = ['m', 'b', 'a', 'ping', 'pong', 'probe', 'upgrade', 'open', 'close', 'detached'];

/** A frame of a documented type with well-formed fields (it may still be unexpected where it is sent). */
export function wellFormedFrame(rng: Rng, type: string, seq: number): unknown[] {
  switch (type) {
    case 'm': return ['m', seq, jsonValue(rng)];
    case 'b': return ['b', seq, rng.pick(['', 'AAEC/w==', 'AQID', 'YQ=='])];
    case 'a': return ['a', rng.pick([0, 0, 0, 1, 2])];
    case 'ping': case 'pong': return [type, rng.int(5)];
    case 'probe': return ['probe', rng.pick(['1', '2', 'x', ''])];
    case 'upgrade': return ['upgrade', rng.int(3)];
    case 'open': return ['open', { sid: 'x', v: 1 }];
    case 'close': return ['close', rng.pick([1000, 4004, 0, 4999]), rng.pick(['bye', '', 'x'.repeat(200)])];
    default: return ['detached'];
  }
}

/** A frame with at least one field broken: wrong arity, wrong field types, unknown type. */
export function hostileFrame(rng: Rng): unknown {
  switch (rng.int(5)) {
    case 0: return [rng.pick([...FRAME_TYPES, 'zz', 'M', '', 1, null]), ...Array.from({ length: rng.int(4) }, () => jsonValue(rng, 1))];
    case 1: return [rng.pick(['m', 'b']), rng.pick(HOSTILE_NUMBERS), rng.pick(['AAEC/w=', '!!!', 'a b', 5, null])];
    case 2: return [rng.pick(['a', 'ping', 'pong', 'upgrade']), rng.pick([-1, 1.5, 2 ** 53, '1', null, 1e308])];
    case 3: return ['probe', rng.pick(['a'.repeat(65), 1, null])];
    default: return jsonValue(rng, 1);
  }
}

/** What a session slot needs to make a packet the server would accept: the next message seq. */
export interface PacketState {
  nextSeq: number;
}

/**
 * A packet text: often valid for the session (numbered messages, acks, pongs), often hostile,
 * sometimes damaged after encoding (truncated, a byte replaced). Returns how many valid
 * messages it carries, so the caller can advance `nextSeq` when the server accepts it.
 */
export function packetText(rng: Rng, state: PacketState, allowClose = true): { text: string; messages: number } {
  const kind = rng.weighted([[7, 'valid'], [2, 'typed'], [2, 'hostile'], [1, 'not-a-packet']] as const);
  if (kind === 'not-a-packet') return { text: JSON.stringify(jsonValue(rng)) ?? '', messages: 0 };
  const frames: unknown[] = [];
  let messages = 0;
  const count = rng.int(4) + (kind === 'valid' ? 1 : 0);
  for (let i = 0; i < count; i++) {
    if (kind === 'valid') {
      const type = rng.weighted([[6, 'm'], [2, 'b'], [2, 'a'], [1, 'pong'], [allowClose ? 0.2 : 0, 'close']] as const);
      if (type === 'm' || type === 'b') frames.push(wellFormedFrame(rng, type, state.nextSeq + messages++));
      else if (type === 'a') frames.push(['a', 0]); // an ack of a message never sent is a protocol error
      else frames.push(wellFormedFrame(rng, type, 0));
    } else if (kind === 'typed') {
      frames.push(wellFormedFrame(rng, rng.pick(FRAME_TYPES), rng.pick([state.nextSeq, state.nextSeq + 1, 1, 0, state.nextSeq - 1])));
    } else {
      frames.push(hostileFrame(rng));
    }
  }
  const text = JSON.stringify(frames);
  switch (rng.int(kind === 'valid' ? 12 : 6)) {
    case 0: return { text: text.slice(0, rng.int(text.length + 1)), messages: 0 };
    case 1: {
      const at = rng.int(text.length);
      return { text: text.slice(0, at) + rng.pick(['[', ']', ',', '"', '}', '\u0000', '\\']) + text.slice(at + 1), messages: 0 };
    }
    default: return { text, messages: kind === 'valid' ? messages : 0 };
  }
}

/** Junk for a query parameter or a header value. */
export function junk(rng: Rng): string {
  return rng.pick(['', '0', '1', '-1', '1.5', 'x', '99999999999999999999', '9'.repeat(15), '%', '%zz', '../', '<script>', '__ferry_jsonp_1', '1;alert(1)', ' 1', '1 ', '0x10', '1e3', '𝄞']);
}
