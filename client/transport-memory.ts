import type { TransportName } from '../protocol/index.js';

/** Where remembered transport failures are kept: `localStorage` in browsers, or your own. */
export interface TransportStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

interface Remembered {
  [name: string]: number | undefined;
}

/**
 * Remembers, per Ferry URL and for a while, which transports failed, so a returning user behind a
 * WebSocket-blocking proxy does not pay the failed probe again. Storage errors (quota, privacy
 * modes) are ignored: memory is an optimisation, never a requirement.
 */
export class TransportMemory {
  private readonly _storage: TransportStorage;
  private readonly _key: string;
  private readonly _ttl: number;

  constructor(storage: TransportStorage, baseUrl: string, ttlMs: number) {
    this._storage = storage;
    this._key = 'ferry:failed:' + baseUrl;
    this._ttl = ttlMs;
  }

  /** Transports that failed within the expiry, with when. */
  failures(now: number): Remembered {
    const all = this._read();
    const live: Remembered = {};
    for (const name in all) {
      const at = all[name];
      if (typeof at === 'number' && now - at < this._ttl) live[name] = at;
    }
    return live;
  }

  remember(name: TransportName, now: number): void {
    const all = this.failures(now);
    all[name] = now;
    this._write(all);
  }

  forget(name: TransportName, now: number): void {
    const all = this.failures(now);
    if (all[name] === undefined) return;
    all[name] = undefined;
    this._write(all);
  }

  private _read(): Remembered {
    try {
      const text = this._storage.getItem(this._key);
      const parsed = text ? (JSON.parse(text) as unknown) : null;
      return parsed && typeof parsed === 'object' ? (parsed as Remembered) : {};
    } catch (e) {
      return {};
    }
  }

  private _write(value: Remembered): void {
    try {
      this._storage.setItem(this._key, JSON.stringify(value));
    } catch (e) {
      // full or forbidden: forget quietly
    }
  }
}
