import type { TransportName } from '../protocol/index.js';
import type { ClientEnv } from './env/env.js';
import { now } from './link-health.js';
import type { TransportMemory } from './transport-memory.js';
import { STREAM_KINDS, streamKind } from './transports/stream-kinds.js';
import { StreamingTransport } from './transports/streaming.js';
import type { ClientTransport, ClientTransportListener, SessionRef } from './transports/transport.js';
import { joinWebSocketUrl } from './transports/urls.js';
import { WebSocketClientTransport } from './transports/websocket.js';
import { JSONP_POLL } from './transports/jsonp-polling.js';
import { PollingTransport } from './transports/polling.js';
import { XHR_POLL } from './transports/xhr-polling.js';

/** Why a transport was or was not used. */
export interface TransportAttempt {
  transport: TransportName;
  outcome: 'used' | 'failed';
  reason: string;
  at: number;
}

/**
 * Which transports this client may use and in what order: the app's preference, narrowed by
 * what the platform has, what the server allows, and what has failed in this session.
 */
export class TransportPlan {
  readonly attempts: TransportAttempt[] = [];
  private readonly _preferred: TransportName[];
  private readonly _env: ClientEnv;
  private _serverAllows: TransportName[] | null = null;
  private _failed: { [name: string]: boolean } = {};
  private readonly _memory: TransportMemory | null;

  constructor(preferred: TransportName[], env: ClientEnv, memory: TransportMemory | null) {
    this._preferred = preferred;
    this._env = env;
    this._memory = memory;
    if (!memory) return;
    const at = now();
    const remembered = memory.failures(at);
    for (const name in remembered) {
      this._failed[name] = true;
      const ago = Math.round((at - (remembered[name] as number)) / 1000);
      this.attempts.push({ transport: name as TransportName, outcome: 'failed', reason: 'remembered: failed here ' + ago + ' s ago', at });
    }
  }

  usable(): TransportName[] {
    const out: TransportName[] = [];
    for (let i = 0; i < this._preferred.length; i++) {
      const name = this._preferred[i];
      if (this._failed[name] || !this._supported(name)) continue;
      if (this._serverAllows && indexOf(this._serverAllows, name) < 0) continue;
      out.push(name);
    }
    return out;
  }

  websocketOnly(): boolean {
    const usable = this.usable();
    return usable.length === 1 && usable[0] === 'websocket';
  }

  /** The first transport of a session: long-polling where allowed (it starts fast everywhere), else the first HTTP one. */
  startTransport(): TransportName | null {
    const usable = this.usable();
    if (indexOf(usable, 'xhr-polling') >= 0) return 'xhr-polling';
    if (indexOf(usable, 'jsonp-polling') >= 0) return 'jsonp-polling';
    for (let i = 0; i < usable.length; i++) if (usable[i] !== 'websocket') return usable[i];
    return null;
  }

  /** The transport to resume a dropped session on. */
  resumeTransport(): TransportName | null {
    return this.websocketOnly() ? 'websocket' : this.startTransport();
  }

  /** The most preferred usable transport ranked above `current`, or null. */
  betterThan(current: TransportName): TransportName | null {
    const best = this.usable()[0];
    return best !== undefined && best !== current ? best : null;
  }

  restrictTo(serverTransports: TransportName[]): void {
    this._serverAllows = serverTransports;
  }

  /**
   * The server refused `name` for a new session and named the transports it allows: until a
   * handshake says otherwise only those are used, never `name` again, and never one an earlier
   * refusal ruled out (so a server that keeps refusing cannot keep the client starting over).
   * Returns why nothing is left to try, or null.
   */
  serverRefused(name: TransportName, allowed: TransportName[]): string | null {
    const previous = this._serverAllows;
    const kept: TransportName[] = [];
    for (let i = 0; i < allowed.length; i++) {
      const other = allowed[i];
      if (other !== name && (!previous || indexOf(previous, other) >= 0)) kept.push(other);
    }
    this._serverAllows = kept;
    this.attempts.push({ transport: name, outcome: 'failed', reason: 'disabled on the server', at: now() });
    if (this.usable().length > 0) return null;
    return 'no usable transport: the server allows ' + (allowed.length > 0 ? allowed.join(', ') : 'none') + '; this client uses ' + this._preferred.join(', ');
  }

  /** A new session: the server may allow other transports; failures are kept (the network is the same). */
  reset(): void {
    this._serverAllows = null;
  }

  failed(name: TransportName, reason: string): void {
    const at = now();
    this._failed[name] = true;
    this.attempts.push({ transport: name, outcome: 'failed', reason: reason, at });
    if (this._memory) this._memory.remember(name, at);
  }

  /**
   * A `name` stream candidate got no packet through in time: the path holds responses back (a
   * buffering proxy), which stops every kind of stream alike, so no other is probed (and each is
   * remembered). The caller marks `name` itself.
   */
  streamsHeldBack(name: TransportName): void {
    for (const other in STREAM_KINDS) {
      if (other !== name && !this._failed[other]) this.failed(other as TransportName, 'not tried: the ' + name + ' probe was held back on this path');
    }
  }

  succeeded(name: TransportName): void {
    const at = now();
    this.attempts.push({ transport: name, outcome: 'used', reason: 'probe answered', at });
    if (this._memory) this._memory.forget(name, at);
  }

  /** A transport; a `candidate` probes the path before the session moves onto it (PROTOCOL.md section 9). */
  create(name: TransportName, env: ClientEnv, session: SessionRef, epoch: number, listener: ClientTransportListener, candidate: boolean): ClientTransport {
    if (name === 'websocket') {
      return new WebSocketClientTransport(env, joinWebSocketUrl(session, epoch), epoch, listener);
    }
    const kind = streamKind(name);
    if (kind) return new StreamingTransport(kind, env, session, epoch, listener, candidate);
    return new PollingTransport(name === 'jsonp-polling' ? JSONP_POLL : XHR_POLL, env, session, epoch, listener);
  }

  private _supported(name: TransportName): boolean {
    if (name === 'websocket') return this._env.createWebSocket !== null;
    if (name === 'jsonp-polling') return this._env.jsonp !== null;
    // every other HTTP transport reads responses (or at least send replies) over `request`
    if (!this._env.xhrReachesServer) return false;
    if (name === 'xhr-polling') return true;
    const kind = streamKind(name);
    return kind !== undefined && kind.supported(this._env);
  }
}

function indexOf(list: TransportName[], name: TransportName): number {
  for (let i = 0; i < list.length; i++) if (list[i] === name) return i;
  return -1;
}
