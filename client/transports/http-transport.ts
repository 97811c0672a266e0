import { protocolErrorReason, decodePacket, type Frame, type OutboundEntry, type TransportName } from '../../protocol/index.js';
import type { ClientEnv } from '../env/env.js';
import type { Upstream } from './http-sender.js';
import type { ClientTransport, ClientTransportListener, SessionRef } from './transport.js';

/**
 * What every HTTP transport shares: one upstream sender, a downstream the subclass runs (polls or
 * a stream), and the rule that the first downstream packet proves the transport works.
 */
export abstract class HttpTransport implements ClientTransport {
  readonly name: TransportName;
  readonly epoch: number;
  abstract readonly batchBytes: number;
  protected readonly _env: ClientEnv;
  protected readonly _session: SessionRef;
  protected readonly _listener: ClientTransportListener;
  protected _closed = false;
  private readonly _upstream: Upstream;
  private _opened = false;

  constructor(name: TransportName, env: ClientEnv, session: SessionRef, epoch: number, listener: ClientTransportListener, upstream: (owner: ClientTransport) => Upstream) {
    this.name = name;
    this._env = env;
    this._session = session;
    this.epoch = epoch;
    this._listener = listener;
    this._upstream = upstream(this);
  }

  get streaming(): boolean {
    return false;
  }

  get writable(): boolean {
    return !this._closed && this._upstream.idle;
  }

  send(controls: string[], entries: OutboundEntry[]): void {
    this._upstream.send(controls, entries);
  }

  close(): void {
    this._closed = true;
    this._stopDownstream();
    this._upstream.abort();
  }

  /** Ends the poll or stream in progress. */
  protected abstract _stopDownstream(): void;

  /**
   * Decodes one downstream packet and passes it on; false when it was malformed (already
   * reported). `beforeDelivery` runs between decoding and delivery.
   */
  protected _deliver(text: string, beforeDelivery?: (frames: Frame[]) => void): boolean {
    let frames;
    try {
      frames = decodePacket(text);
    } catch (e) {
      this._fail(protocolErrorReason(e, 'malformed packet'), null);
      return false;
    }
    if (!this._opened) {
      this._opened = true;
      this._listener.onOpen(this);
    }
    if (beforeDelivery) beforeDelivery(frames);
    this._listener.onFrames(this, frames, text.length);
    return true;
  }

  protected _fail(reason: string, status: number | null): void {
    this.close();
    this._listener.onError(this, reason, status);
  }
}
