/** Event name → the arguments its listeners get. */
export type EventMap = { [event: string]: unknown[] };

type Listener<Args extends unknown[]> = (...args: Args) => void;

interface Entry {
  fn: (...args: never) => void;
  once: boolean;
}

/**
 * A small typed event emitter: `on`, `once`, `off`, `emit`, with the semantics of Node's and
 * eventemitter3's: listeners run in the order they were added, with the emitter as `this`, and a
 * listener added or removed during an emit does not change that emit. ES5-safe.
 */
export class Emitter<Events extends EventMap> {
  // lists are replaced, never changed in place: an emit keeps iterating the list it started with
  private _listeners: { [event: string]: Entry[] | undefined } = {};

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
    if (event === undefined) this._listeners = {};
    else this._keep(event, (entry) => fn !== undefined && entry.fn !== fn);
    return this;
  }

  /** Calls the listeners of `event`; true when there were any. */
  emit<K extends keyof Events & string>(event: K, ...args: Events[K]): boolean {
    const list = this._listeners[event];
    if (!list) return false;
    for (let i = 0; i < list.length; i++) {
      const entry = list[i];
      // removed before it runs, so an emit from inside it does not run it again
      if (entry.once) this._keep(event, (other) => other !== entry);
      (entry.fn as Listener<Events[K]>).apply(this, args);
    }
    return true;
  }

  private _keep(event: string, keep: (entry: Entry) => boolean): void {
    const kept: Entry[] = [];
    const list = this._listeners[event] || [];
    for (let i = 0; i < list.length; i++) if (keep(list[i])) kept.push(list[i]);
    this._listeners[event] = kept.length > 0 ? kept : undefined;
  }
}
