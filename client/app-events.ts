import {
  AckTable,
  dispatchEvent,
  emitEvent,
  emitWithAckPromise,
  failAllAcks,
  settleAnswer,
  type EventHost,
} from '../protocol/event-dispatch.js';
import type { TimedEmitter } from '../protocol/event-api.js';
import type { AppItem, JsonValue } from '../protocol/index.js';

/** What the client socket gives its named events (client/socket.ts). */
export interface ClientEventSocket {
  /** Numbers and queues an encoded item; false when closed; throws when too large or the buffer is full. */
  queueItem(item: AppItem): boolean;
  /** Which session items are queued into now: an answer computed for an older one is dropped. */
  sessionMark(): unknown;
  /** The app's handlers of `name`, `once` ones taken out. */
  takeListeners(name: string): Array<(...args: never[]) => unknown>;
  /** An exception from the app's code: the socket's `error` listeners, or thrown later. */
  reportAppError(error: unknown): void;
}

/**
 * The client socket's named events: sending (`emit`, `emitWithAck`, `timeout`, the trailing
 * callback), the acks awaited, incoming events handed to the app's handlers and answered. A
 * renewed session is a new one: the acks of the old fail, and an answer computed for it is not
 * sent into the new one. ES5-safe: Promise only in `emitWithAck`, when there is one.
 */
export class ClientAppEvents {
  private _acks: AckTable | null = null;
  private readonly _socket: ClientEventSocket;
  private readonly _host: EventHost;

  constructor(socket: ClientEventSocket) {
    this._socket = socket;
    this._host = {
      ackTable: () => {
        if (this._acks === null) this._acks = new AckTable();
        return this._acks;
      },
      queueEvent: (item) => socket.queueItem(item),
      endedError: () => new Error('ferry: the socket is closed'),
      later: (fn) => void setTimeout(fn, 0),
      startTimer: (fn, ms) => setTimeout(fn, ms),
      stopTimer: (timer) => clearTimeout(timer as ReturnType<typeof setTimeout>),
    };
  }

  emit(event: string, args: unknown[], ms: number): boolean {
    return emitEvent(this._host, event, args, ms);
  }

  emitWithAck(event: string, args: unknown[], ms: number): Promise<JsonValue> {
    return emitWithAckPromise(this._host, event, args, ms);
  }

  timeout<Emit>(ms: number): TimedEmitter<Emit> {
    const self = this;
    const timed = {
      emit: function (event: string) {
        return self.emit(event, Array.prototype.slice.call(arguments, 1), ms);
      },
      emitWithAck: function (event: string) {
        return self.emitWithAck(event, Array.prototype.slice.call(arguments, 1), ms);
      },
    };
    return timed as unknown as TimedEmitter<Emit>;
  }

  /** An app event from the server, delivered in order. */
  receiveEvent(self: unknown, name: string, args: JsonValue[], ackId: number | null): void {
    const socket = this._socket;
    const mark = socket.sessionMark();
    dispatchEvent(
      self,
      socket.takeListeners(name),
      name,
      args,
      ackId,
      (item) => {
        if (socket.sessionMark() === mark) socket.queueItem(item);
      },
      (error) => socket.reportAppError(error),
    );
  }

  /** The server's answer to an acknowledged emit; a late (timed out) or unknown one is dropped. */
  receiveAnswer(ackId: number, value: JsonValue, error: string | null): void {
    settleAnswer(this._acks, ackId, value, error, (e) => this._socket.reportAppError(e));
  }

  /** The session ended (for good, or renewed as a new one): every ack awaited fails with `reason`. */
  end(reason: string): void {
    const acks = this._acks;
    this._acks = null;
    failAllAcks(acks, reason, (e) => this._socket.reportAppError(e));
  }

  /**
   * An event queued before the session was up turned out too large for the server: never sent. Its
   * ack fails; one without an ack is reported as the app's error (the `error` listeners).
   */
  refused(item: string, reason: string): void {
    let ackId: unknown = null;
    let name: unknown = '';
    try {
      const parts = JSON.parse('[' + item.slice(1) + ']') as unknown[];
      name = parts[0];
      ackId = parts.length > 2 ? parts[2] : null;
    } catch (e) {
      // an item this module encoded: always parses
    }
    const error = new Error('ferry: event ' + JSON.stringify(name) + ' was not sent: ' + reason);
    const settle = typeof ackId === 'number' && this._acks !== null ? this._acks.take(ackId) : null;
    if (settle === null) return this._socket.reportAppError(error);
    try {
      settle(error);
    } catch (e) {
      this._socket.reportAppError(e);
    }
  }
}
