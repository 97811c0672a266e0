import type { Socket } from './socket.js';

/**
 * What an exception thrown by the application's own code (a `connection`, `message`,
 * `transport` or `close` listener) becomes. It is the app's bug, not the client's: the session
 * goes on, and the exception goes to whoever can report it.
 */
export type AppErrorSink = (error: unknown, socket: Socket | null) => void;

/** The part of the Server an app error is surfaced through. */
export interface AppErrorTarget {
  listenerCount(event: 'error'): number;
  emit(event: 'error', error: Error, socket: Socket | null): boolean;
}

/**
 * Gives `error` to the server's `error` listeners; with none (or when one of them throws), throws
 * it again on a later tick, outside Ferry's code, as Node's EventEmitter does with an unhandled
 * `error`: the app sees it with its own stack, and an app that handles nothing crashes, as it
 * would with any other bug, instead of Ferry swallowing it.
 */
export function surfaceAppError(target: AppErrorTarget, error: unknown, socket: Socket | null): void {
  if (target.listenerCount('error') > 0) {
    try {
      target.emit('error', asError(error), socket);
      return;
    } catch (thrown) {
      error = thrown;
    }
  }
  process.nextTick(rethrow, error);
}

/**
 * An exception from an app function Ferry calls while answering a request (an `allowedOrigins`
 * or `allowedHosts` function), carried to the route's one catch: the request gets 500
 * `server_error`, never a 4xx that blames the client, and the exception is surfaced as above.
 */
export class AppCodeError extends Error {
  readonly thrown: unknown;
  constructor(thrown: unknown, where: string) {
    super('the application\'s ' + where + ' threw');
    this.thrown = thrown;
  }
}

/** `fn`, with whatever it throws wrapped as an AppCodeError naming `where`. */
export function appCode<A extends unknown[], R>(fn: (...args: A) => R, where: string): (...args: A) => R {
  return (...args) => {
    try {
      return fn(...args);
    } catch (e) {
      throw new AppCodeError(e, where);
    }
  };
}

/** The value itself when it is an Error; anything else thrown is wrapped, with the value as `cause`. */
export function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error('a listener threw a non-Error value: ' + String(value), { cause: value });
}

function rethrow(error: unknown): never {
  throw error;
}
