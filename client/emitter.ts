/** Event name → the arguments its listeners get. */
export type EventMap = { [event: string]: unknown[] };

type Listener<Args extends unknown[]> = (...args: Args) => void;

interface Entry {
  fn: (...args: never) => void;
  once: boolean;
}

/**
 * A small typed event emitter: `on`, `once`, `off`, `fire` (the socket's public `emit` sends to the server), with the semantics of Node's and
 * eventemitter3's: listeners run in the order they were added, with the emitter as `this`, and a
 * listener added or removed during an emit does not change that emit. ES5-safe.
 *
 * One difference, because the emitter is the client socket and its listeners are the app's code:
 * a listener that throws does not reach the caller of `emit` (the socket's state machine, which
 * must not be left half-way) nor stop the listeners after it. The exception goes to the `error`
 * listeners, or, with none (or when one of those throws), is thrown again on its own a moment
 * later, so it is reported as uncaught (the console, `window.onerror`, Node's `uncaughtException`).
 */
export class Emitter<Events extends EventMap> {
  // lists are replaced, never changed in place: an emit keeps iterating the list it started with
  // no prototype: an app event may be named `constructor`, `toString` or `__proto__`
  private _listeners: { [event: string]: Entry[] | undefined } = Object.create(null);

  on<K extends keyof Events & string>(event: K, fn: Listener<Events[K]>): this {
    this._listeners[event] = (this._listeners[event] || []).concat({ fn: fn, once: false });
    return this;
  }

  /** Like `on`, for the next emit only. */
  once<K extends keyof Events & string>(event: K, fn: Listener<Events[K]>): this {
    this._listeners[event] = (this._listeners[event] || []).concat({ fn: fn, once: true });
    return this;
  }

  /** Removes `fn` from `event`; without `fn`, every listener of `event`; without both, every listener. */
  off<K extends keyof Events & string>(event?: K, fn?: Listener<Events[K]>): this {
    if (event === undefined) this._listeners = Object.create(null);
    else this._keep(event, (entry) => fn !== undefined && entry.fn !== fn);
    return this;
  }

  /** Calls the listeners of `event`; true when there were any. */
  fire<K extends keyof Events & string>(event: K, ...args: Events[K]): boolean {
    return this._call(event, args);
  }

  /** The listeners of `event`, in order; `once` ones are removed (they run now, as in `fire`). */
  takeListeners(event: string): Array<(...args: never[]) => unknown> {
    const list = this._listeners[event];
    if (!list) return [];
    const fns: Array<(...args: never[]) => unknown> = [];
    for (let i = 0; i < list.length; i++) fns.push(list[i].fn);
    this._keep(event, (entry) => !entry.once);
    return fns;
  }

  /** An exception from the app's code that is not a listener of a local event (an event handler's): the `error` path below. */
  reportAppError(error: unknown): void {
    this._listenerThrew('', error);
  }

  private _call(event: string, args: unknown[]): boolean {
    const list = this._listeners[event];
    if (!list) return false;
    for (let i = 0; i < list.length; i++) {
      const entry = list[i];
      // removed before it runs, so an emit from inside it does not run it again
      if (entry.once) this._keep(event, (other) => other !== entry);
      try {
        (entry.fn as (...args: unknown[]) => void).apply(this, args);
      } catch (e) {
        this._listenerThrew(event, e);
      }
    }
    return true;
  }

  private _listenerThrew(event: string, error: unknown): void {
    if (event !== 'error' && this._listeners['error']) {
      this._call('error', [asError(error)]);
      return;
    }
    setTimeout(function () {
      throw error;
    }, 0);
  }

  private _keep(event: string, keep: (entry: Entry) => boolean): void {
    const kept: Entry[] = [];
    const list = this._listeners[event] || [];
    for (let i = 0; i < list.length; i++) if (keep(list[i])) kept.push(list[i]);
    this._listeners[event] = kept.length > 0 ? kept : undefined;
  }
}

/** The value itself when it is an Error; anything else thrown is wrapped (its text as the message). */
function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error('a listener threw a non-Error value: ' + String(value));
}
