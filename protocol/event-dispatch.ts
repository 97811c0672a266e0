import { answerItem, eventItem, failedAnswerItem } from './app-items.js';
import type { JsonValue } from './frames.js';

/**
 * Named events and their acknowledgements, the half shared by client and server: the table of
 * acks awaited, emitting (the trailing-callback form), and handing an incoming event to the app's
 * handlers and collecting their one answer. Pure: no timers, no I/O (each side brings its own
 * queue and its own way of reporting the app's errors). ES5-safe: no Promise, Map or Symbol.
 */

/** What an awaited answer settles: an Error (failed, timed out, session ended) or the answer. */
export type AckSettle = (error: Error | null, answer?: JsonValue) => void;

/** The reason a failed answer carries when the handler threw or its Promise rejected (the error itself stays on the answering side). */
export const HANDLER_FAILED = 'the handler failed';

/**
 * Acks awaited by one session, by id. Ids count from 1 and are never reused within the session.
 * At most `limit` are awaited at once (`maxPendingAcks`): what a peer that never answers can
 * make a session hold. (An event the peer sent and the app has not answered yet holds nothing
 * here: its answer callback is the app's.)
 */
export class AckTable {
  readonly limit: number;
  private next = 1;
  private pending: { [id: string]: AckSettle | undefined } = {};
  private count = 0;

  constructor(limit?: number) {
    this.limit = limit === undefined ? Infinity : limit;
  }

  /** Stores `settle` and returns its new id, or 0 when `limit` acks are awaited already. */
  add(settle: AckSettle): number {
    if (this.count >= this.limit) return 0;
    const id = this.next++;
    this.pending[id] = settle;
    this.count++;
    return id;
  }

  /** Takes out the settle function of `id`: null when it is not awaited (settled, timed out, never issued). */
  take(id: number): AckSettle | null {
    const settle = this.pending[id];
    if (settle === undefined) return null;
    delete this.pending[id];
    this.count--;
    return settle;
  }

  /** Whether `id` is awaited. */
  has(id: number): boolean {
    return this.pending[id] !== undefined;
  }

  /** Takes out every settle function (the session ended). */
  takeAll(): AckSettle[] {
    const all: AckSettle[] = [];
    const pending = this.pending;
    for (const id in pending) {
      const settle = pending[id];
      if (settle !== undefined) all.push(settle);
    }
    this.pending = {};
    this.count = 0;
    return all;
  }

  get size(): number {
    return this.count;
  }
}

/** What an emit past `limit` awaited answers fails with. */
export function tooManyAwaited(limit: number): Error {
  return new Error('not sent: ' + limit + ' answers are awaited already in this session (maxPendingAcks)');
}

/** The args of an emit split into the event's arguments and its trailing callback, if any. */
export function splitCallback(args: unknown[]): { args: JsonValue[]; callback: AckSettle | null } {
  const last = args[args.length - 1];
  if (typeof last !== 'function') return { args: args as JsonValue[], callback: null };
  return { args: args.slice(0, args.length - 1) as JsonValue[], callback: last as AckSettle };
}

/**
 * Emits an event whose answer `settle` awaits: stores it in `table`, hands the encoded event
 * (`item`, from eventItem without an ack id: the id is appended) to `queue` (false when the
 * session is over, then `settle` gets `closedError` via `later`). Returns the ack id, or 0 when
 * not sent: the session is over, or `table` is full (then `settle` gets tooManyAwaited via `later`).
 */
export function emitAcked(
  table: AckTable,
  item: string,
  settle: AckSettle,
  queue: (item: string) => boolean,
  closedError: () => Error,
  later: (fn: () => void) => void,
): number {
  const id = table.add(settle);
  if (id === 0) {
    later(() => settle(tooManyAwaited(table.limit)));
    return 0;
  }
  let queued: boolean;
  try {
    queued = queue(item + ',' + id);
  } catch (e) {
    // refused by the queue (too large, buffer full): thrown to the emitter, nothing awaited
    table.take(id);
    throw e;
  }
  if (queued) return id;
  // the session is over (or was just shed, which has already failed every pending ack)
  const left = table.take(id);
  if (left !== null) later(() => left(closedError()));
  return 0;
}

/** Whether `value` looks like a Promise (has a callable `then`), without needing Promise. */
function thenable(value: unknown): value is { then(ok: (v: unknown) => void, fail: (e: unknown) => void): unknown } {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/**
 * Calls the app's handlers of an incoming event with its arguments and an answer callback, and
 * answers it once (when `ackId` asks for one) through `answer`:
 *
 * - a handler returning a value (not undefined) answers with it; a Promise answers with its
 *   resolved value (undefined becomes null); a handler returning undefined may call the callback;
 * - the first answer wins, later ones are ignored; an answer JSON cannot carry is the app's error;
 * - a handler that throws, or whose Promise rejects: `appError` gets the exception and the caller
 *   gets a failed answer saying only "the handler failed" (the error text stays here);
 * - no handler at all: a failed answer `no handler for "name"`.
 *
 * Without `ackId` the callback does nothing and return values are ignored.
 */
export function dispatchEvent(
  self: unknown,
  handlers: Array<(...args: never[]) => unknown>,
  name: string,
  args: JsonValue[],
  ackId: number | null,
  answer: (item: string) => void,
  appError: (error: unknown) => void,
): void {
  let answered = ackId === null;
  const reply = (item: () => string): void => {
    if (answered) return;
    answered = true;
    try {
      answer(item());
    } catch (e) {
      // the answer was refused (too large for the peer): the app's error, and the caller still hears
      appError(e);
      answer(failedAnswerItem(ackId as number, HANDLER_FAILED));
    }
  };
  const fail = (): void => reply(() => failedAnswerItem(ackId as number, HANDLER_FAILED));
  const ack = (value?: unknown): void => {
    if (answered) return;
    let item: string;
    try {
      item = answerItem(ackId as number, (value === undefined ? null : value) as JsonValue);
    } catch (e) {
      appError(e);
      item = failedAnswerItem(ackId as number, HANDLER_FAILED);
    }
    reply(() => item);
  };
  if (handlers.length === 0) {
    reply(() => failedAnswerItem(ackId as number, 'no handler for ' + JSON.stringify(name)));
    return;
  }
  const callArgs: unknown[] = args.slice();
  callArgs.push(ack);
  for (let i = 0; i < handlers.length; i++) {
    let result: unknown;
    try {
      result = (handlers[i] as (...a: unknown[]) => unknown).apply(self, callArgs);
      if (result === undefined) continue;
      if (!thenable(result)) {
        ack(result);
        continue;
      }
      result.then(ack, (e) => {
        appError(e);
        fail();
      });
    } catch (e) {
      appError(e);
      fail();
    }
  }
}

/** Settles an awaited ack from an incoming answer frame; false when nothing awaited it (late or unknown: dropped). */
export function settleAnswer(table: AckTable | null, ackId: number, value: JsonValue, error: string | null, appError: (error: unknown) => void): boolean {
  const settle = table === null ? null : table.take(ackId);
  if (settle === null) return false;
  try {
    if (error !== null) settle(new Error(error));
    else settle(null, value);
  } catch (e) {
    appError(e);
  }
  return true;
}

/** Fails every awaited ack of a session that ended (or was replaced by a new one). */
export function failAllAcks(table: AckTable | null, reason: string, appError: (error: unknown) => void): void {
  if (table === null || table.size === 0) return;
  const all = table.takeAll();
  for (let i = 0; i < all.length; i++) {
    try {
      all[i](new Error('the session ended before the answer came (' + reason + ')'));
    } catch (e) {
      appError(e);
    }
  }
}

/** What a socket gives the emit helpers below: its ack table (created on first use), its queue, its timers. */
export interface EventHost {
  /** The session's ack table, created on first use. */
  ackTable(): AckTable;
  /** Queues an encoded event; false when the session is over. */
  queueEvent(item: string): boolean;
  /** The Error an ack gets when the session is already over. */
  endedError(): Error;
  /** Runs `fn` a moment later (never synchronously). */
  later(fn: () => void): void;
  startTimer(fn: () => void, ms: number): unknown;
  stopTimer(timer: unknown): void;
}

/** `socket.emit(name, ...args)`: a trailing function asks for an answer (node-style callback); `ms` > 0 limits the wait. */
export function emitEvent(host: EventHost, name: string, rawArgs: unknown[], ms: number): boolean {
  const split = splitCallback(rawArgs);
  const item = eventItem(name, split.args);
  if (split.callback === null) return host.queueEvent(item);
  return sendAcked(host, name, item, split.callback, ms) !== 0;
}

/**
 * Emits an acknowledged event (`item`: eventItem(name, args), encoded once, without its ack id);
 * `settle` is called exactly once (answer, failure, timeout or the session's end).
 */
export function sendAcked(host: EventHost, name: string, item: string, settle: AckSettle, ms: number): number {
  if (typeof ms !== 'number' || !(ms >= 0)) throw new TypeError('a timeout is a number of milliseconds');
  let timer: unknown = null;
  const table = host.ackTable();
  const settleOnce: AckSettle = (error, answer) => {
    if (timer !== null) host.stopTimer(timer);
    timer = null;
    settle(error, answer);
  };
  const id = emitAcked(table, item, settleOnce, (text) => host.queueEvent(text), () => host.endedError(), (fn) => host.later(fn));
  // still awaited (a queue that shed the session has failed it already)
  if (id !== 0 && ms > 0 && table.has(id)) {
    timer = host.startTimer(() => {
      timer = null;
      const left = table.take(id);
      if (left !== null) left(new Error('no answer to ' + JSON.stringify(name) + ' within ' + ms + ' ms'));
    }, ms);
  }
  return id;
}

/** `socket.emitWithAck(name, ...args)`: a Promise of the answer. Throws when there is no Promise (use the callback form). */
export function emitWithAckPromise(host: EventHost, name: string, args: unknown[], ms: number): Promise<JsonValue> {
  if (typeof Promise === 'undefined') {
    throw new Error('emitWithAck needs Promise, which this browser lacks: use emit(event, ...args, function (error, answer) { … }) instead');
  }
  // a bad name or argument throws here, not as a rejection
  const item = eventItem(name, args as JsonValue[]);
  return new Promise<JsonValue>((resolve, reject) => {
    sendAcked(host, name, item, (error, answer) => (error !== null ? reject(error) : resolve(answer as JsonValue)), ms);
  });
}
