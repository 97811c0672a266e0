import type { ResolvedConnectOptions } from './options.js';

export function now(): number {
  return Date.now();
}

/**
 * How the connection to the server is doing: when something last arrived, when it was lost, how
 * many reconnects have failed, and the heartbeat the path seems to need.
 */
export class LinkHealth {
  /** Heartbeat interval asked of the server after idle cuts were seen (ms), or 0 for the server's. */
  heartbeat = 0;
  private _lastInbound = 0;
  private _lostAt = 0;
  private _attempt = 0;

  /** Something arrived on the downstream. */
  received(): void {
    this._lastInbound = now();
  }

  /** The connection is up (again): reconnect backoff starts over. */
  connected(): void {
    this._attempt = 0;
  }

  /** The connection dropped (first drop of an outage). */
  lost(): void {
    this._lostAt = now();
  }

  /** How long the current outage has lasted. */
  outage(): number {
    return now() - this._lostAt;
  }

  /** A new session: nothing is known about its traffic yet (the path's heartbeat still applies). */
  restart(): void {
    this._lastInbound = 0;
  }

  /** How long nothing has arrived, counted from `since` at the earliest. */
  silence(since: number): number {
    return now() - Math.max(this._lastInbound, since);
  }

  /** Silence allowed on a pinged transport before it counts as dead. */
  deadline(pingInterval: number, pingTimeout: number): number {
    return (this.heartbeat || pingInterval) + pingTimeout;
  }

  /**
   * A connection that died after being quiet for less than the heartbeat interval was most likely
   * cut by an idle timeout on the path: ask for heartbeats at half that quiet time (at least 1 s).
   */
  learnFromDrop(pingInterval: number, pingTimeout: number): void {
    if (this._lastInbound === 0) return;
    const quiet = now() - this._lastInbound;
    const current = this.heartbeat || pingInterval;
    if (quiet < 2000 || quiet > current + pingTimeout) return;
    const wanted = Math.max(1000, Math.floor(quiet / 2));
    if (wanted < current) this.heartbeat = wanted;
  }

  /** The next reconnect delay: doubling from `reconnectDelay` up to `reconnectDelayMax`, with jitter. */
  backoff(options: ResolvedConnectOptions): number {
    const base = Math.min(options.reconnectDelayMax, options.reconnectDelay * Math.pow(2, this._attempt++));
    return Math.round(base * (0.5 + Math.random() / 2));
  }
}
