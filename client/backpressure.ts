import type { DefaultEvents, EventArgs, EventNames, JsonValue } from '../protocol/index.js';
import type { NotReserved } from '../protocol/event-api.js';
import type { ClientTransport } from './transports/transport.js';

/**
 * Backpressure for producers on the client: `socket.bufferedAmount`, the `drain` event and its
 * low-water mark (`drainBelow`), with the server's semantics (server/backpressure.ts). ES5-safe.
 */

/**
 * The low-water mark: `drainBelow` as given, or an eighth of `maxBufferedBytes` (1 MiB of the
 * default 8 MiB, as on the server). Throws a RangeError unless it is a finite number, at least 0
 * and below `maxBufferedBytes`.
 */
export function resolveDrainBelow(drainBelow: number | undefined, maxBufferedBytes: number): number {
  if (drainBelow === undefined) return Math.floor(maxBufferedBytes / 8);
  if (typeof drainBelow !== 'number' || !isFinite(drainBelow) || drainBelow < 0 || drainBelow >= maxBufferedBytes) {
    throw new RangeError('ferry: option drainBelow must be a number from 0 to below maxBufferedBytes (' + maxBufferedBytes + '), got ' + String(drainBelow));
  }
  return drainBelow;
}

/** What a transport holds in its own buffer and has not sent yet (a WebSocket's `bufferedAmount`), 0 when unknown. */
export function transportBuffered(t: ClientTransport | null): number {
  const amount = t ? t.bufferedAmount : 0;
  return typeof amount === 'number' ? amount : 0;
}

/**
 * The "seen above the mark" bit behind `drain`: set whenever the amount is seen above the mark
 * (a send that crossed it, the app reading `bufferedAmount`), cleared by the `drain` it owes.
 */
export class DrainWatch {
  readonly mark: number;
  private readonly _measure: () => number;
  private readonly _drain: () => void;
  private _above = false;

  /** `measure` gives the amount now; `drain` fires the event. */
  constructor(mark: number, measure: () => number, drain: () => void) {
    this.mark = mark;
    this._measure = measure;
    this._drain = drain;
  }

  /** The amount now; above the mark, a `drain` is owed. */
  amount(): number {
    const amount = this._measure();
    if (amount > this.mark) this._above = true;
    return amount;
  }

  /** Bytes were released (acknowledged): `drain`, once per crossing, when the amount is back at or under the mark. */
  released(): void {
    if (!this._above || this._measure() > this.mark) return;
    this._above = false;
    this._drain();
  }

  /** The session ended (its messages are gone): no `drain` is owed. */
  reset(): void {
    this._above = false;
  }
}

/**
 * `socket.volatile`: sends dropped, instead of queued, while the socket is not open on a transport
 * (connecting, reconnecting). A dropped send returns false, queues nothing and uses no sequence
 * number. One that goes out is an ordinary send: delivered exactly once and in order, resent on
 * resume like any other; it is dropped only when it cannot go out now.
 */
export interface ClientVolatile<EmitEvents = DefaultEvents> {
  /** Sends `data` if the socket is open now (see `send`, which it is otherwise); false when dropped. */
  send(data: JsonValue | Uint8Array | ArrayBuffer): boolean;
  /** Emits `event` if the socket is open now (see `emit`; no answer callback: a dropped event gets no answer); false when dropped. */
  emit<E extends EventNames<EmitEvents>>(event: E & NotReserved<E>, ...args: EventArgs<EmitEvents, E>): boolean;
}

interface Sender {
  send(data: JsonValue | Uint8Array | ArrayBuffer): boolean;
  emit(event: string, ...args: unknown[]): boolean;
}

/** The volatile view of `socket`, made per use. */
export function volatileOf(socket: Sender, open: () => boolean): ClientVolatile {
  const view: { send: ClientVolatile['send']; emit: (event: string) => boolean } = {
    send: function (data) {
      return open() && socket.send(data);
    },
    emit: function (event) {
      // `arguments`, not a rest parameter: the ES5 bundle has no spread
      return open() && socket.emit.apply(socket, Array.prototype.slice.call(arguments) as [string, ...unknown[]]);
    },
  };
  return view as ClientVolatile;
}
