/** One timer per name: setting a name again replaces its timer. Owned by one socket, cleared with it. */
export class NamedTimers {
  private _timers: { [name: string]: ReturnType<typeof setTimeout> | undefined } = {};

  set(name: string, ms: number, fn: () => void): void {
    this.clear(name);
    this._timers[name] = setTimeout(() => {
      this._timers[name] = undefined;
      fn();
    }, ms);
  }

  has(name: string): boolean {
    return this._timers[name] !== undefined;
  }

  clear(name: string): void {
    const timer = this._timers[name];
    if (timer !== undefined) clearTimeout(timer);
    this._timers[name] = undefined;
  }

  clearAll(): void {
    for (const name in this._timers) this.clear(name);
  }
}
