import type { IncomingMessage, ServerResponse } from 'node:http';
import { RequestError, rejectUpgrade, sendError } from '../../http-errors.js';
import { formBodyLimit, isFormSend } from '../../jsonp.js';
import type { ResolvedOptions } from '../../options.js';
import { readBody } from '../../read-body.js';
import { ClusterError } from '../cluster-error.js';
import type { NodeRegistry } from '../node-registry.js';
import { withTimeout, type RedisLink } from '../redis-link.js';
import { parseRelayMessage, sessionOwner, type RelayedHeaders, type RelayMessage, type ResponseHeaders } from './relay-messages.js';
import type { Duplex } from 'node:stream';
import type { HttpErrorCode } from '../../../protocol/index.js';
import { RelayedRequest, RelayedResponse, type ResponseSink } from './relayed-exchange.js';
import { WebSocketRelay, type JoinRelayed } from './ws-relay.js';
import { OwnerWatch } from './owner-watch.js';
import { serverLog } from '../../debug-log.js';

/** How long an owner keeps a response the edge has not confirmed, after it ended, before giving up on it, in ms. */
const UNCONFIRMED_END_MS = 30_000;
/** How long a closing node waits for its last relayed answers to reach Redis, in ms. */
const CLOSE_WAIT_MS = 2_000;

/** What the relay counts (ServerMetrics has it). */
export interface RelayMetrics {
  relayedOut: number;
  relayedIn: number;
  refused(code: HttpErrorCode, handshake: boolean): void;
}

/** What the relay needs of the cluster adapter (RedisAdapter). */
export interface RelayCluster {
  readonly nodeId: string;
  readonly options: { readonly prefix: string; readonly heartbeatInterval: number; readonly nodeExpiry: number };
  readonly relayParts: { readonly link: RedisLink; readonly registry: NodeRegistry } | null;
}

/** Serves a relayed request on this node with the normal HTTP routes. */
export type ServeRelayed = (req: IncomingMessage, res: ServerResponse, url: string) => void;

/** A request this node (the edge) relays to the session's owner. */
interface EdgeExchange {
  readonly res: ServerResponse;
  readonly owner: string;
  /** The client's body was not read (over the limit): the answer closes the connection. */
  unread: boolean;
  /** The owner's answer ended or the exchange was dropped: nothing more is relayed either way. */
  done: boolean;
  timer: NodeJS.Timeout | null;
  /** Bytes written to the client not yet confirmed to the owner (sent once per tick). */
  credit: number;
}

/**
 * Any request may land on any node (issue 14): an HTTP request whose `sid` names another node
 * (`{nodeId}~…`, see SessionRegistry.idPrefix) is relayed there over Redis pub/sub, on the owner's
 * channel `{prefix}:relay:{nodeId}`, and the owner's response streams back (relay-messages.ts).
 * The owner serves it with its normal routes through a fake request and response
 * (relayed-exchange.ts) whose `writableLength` counts what the edge has not written to the client
 * yet, so backpressure and the memory budget work as for a local client.
 *
 * Nothing here survives Redis: when a connection to Redis is lost, every relayed exchange is
 * dropped on both sides (the client sees a cut connection and resumes). A request for an owner
 * that is no longer in the node registry gets `404 node_lost` (the client renews; owner-watch.ts).
 */
export class HttpRelay {
  readonly #cluster: RelayCluster;
  readonly #serve: ServeRelayed;
  readonly #report: (error: Error) => void;
  readonly #maxMessageSize: number;
  readonly #bodyTimeout: number;
  /** How long an edge waits for the owner's next message (a poll is held up to pingInterval; streams ping as often). */
  readonly #idleMs: number;
  readonly #out = new Map<number, EdgeExchange>();
  readonly #in = new Map<string, RelayedResponse>();
  /** WebSocket joins for other nodes' sessions, and other nodes' joins for this node's. */
  readonly #ws: WebSocketRelay;
  #nextId = 0;
  #started = false;
  #closed = false;
  #publishing = 0;
  #idle: (() => void) | null = null;
  /** Which owners are gone (owner-watch.ts). */
  readonly #owners: OwnerWatch;
  /** Where relayed requests and the relay's own refusals are counted (`ferry.metrics()`). */
  readonly #metrics: RelayMetrics;

  constructor(cluster: RelayCluster, options: ResolvedOptions, serve: ServeRelayed, join: JoinRelayed, report: (error: Error) => void, metrics: RelayMetrics) {
    this.#cluster = cluster;
    this.#metrics = metrics;
    this.#serve = serve;
    this.#report = report;
    this.#maxMessageSize = options.maxMessageSize;
    this.#bodyTimeout = options.bodyTimeout;
    this.#idleMs = options.pingInterval + options.pingTimeout;
    const channel = {
      nodeId: cluster.nodeId,
      publish: (node: string, message: object) => this.#publish(node, message),
      gone: (node: string) => this.#owners.gone(node),
    };
    this.#ws = new WebSocketRelay(channel, join, options.maxMessageSize, options.bodyTimeout, (code) => metrics.refused(code, false));
    this.#owners = new OwnerWatch(cluster, options.bodyTimeout, () => this.#ownersInFlight(), (owner) => this.#cutOwner(owner));
  }

  /** Subscribes to this node's relay channel (run once connected, before the node enters the registry). */
  async start(link: RedisLink): Promise<void> {
    const lost = (): void => this.#dropAll();
    link.commands.on('error', lost);
    link.subscriber.on('error', lost);
    await link.subscriber.subscribe(this.#channel(this.#cluster.nodeId), (text) => this.#received(text));
    this.#started = true;
    this.#owners.start();
  }

  #ownersInFlight(): string[] {
    const owners: string[] = [];
    for (const edge of this.#out.values()) owners.push(edge.owner);
    return owners.concat(this.#ws.owners());
  }

  /** `owner` died without a goodbye: its exchanges in flight are cut, a request not answered yet with `404 node_lost`. */
  #cutOwner(owner: string): void {
    if (serverLog.cluster.enabled) serverLog.cluster('%s is gone: its relayed exchanges are cut', owner);
    for (const [id, edge] of [...this.#out]) {
      if (edge.owner !== owner) continue;
      this.#finish(id, edge);
      if (edge.res.headersSent) edge.res.destroy();
      else this.#refuse(edge.res, new RequestError('node_lost', 'the node that held this session is gone'));
    }
    this.#ws.cutOwner(owner);
  }

  /** The node owning the session `url`'s `sid` names, when that is another node; else null. */
  ownerOf(url: string): string | null {
    const q = url.indexOf('?');
    if (q < 0 || url.indexOf('sid=', q) < 0) return null;
    const sid = new URLSearchParams(url.slice(q + 1)).get('sid');
    const owner = sid === null ? null : sessionOwner(sid);
    return owner === this.#cluster.nodeId ? null : owner;
  }

  /** Relays the request when its session lives on another node; false when it is this node's to serve. */
  forward(req: IncomingMessage, res: ServerResponse, url: string): boolean {
    const owner = this.ownerOf(url);
    if (owner === null) return false;
    void this.#relay(req, res, url, owner);
    return true;
  }

  /** Relays a WebSocket join when its session lives on another node; false when it is this node's. */
  forwardUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: string): boolean {
    const owner = this.ownerOf(url);
    if (owner === null) return false;
    if (this.#cluster.relayParts === null || !this.#started || this.#closed) {
      socket.on('error', () => socket.destroy());
      this.#metrics.refused('node_unavailable', false);
      rejectUpgrade(socket, new RequestError('node_unavailable', 'this node is not connected to the cluster'));
    } else {
      this.#metrics.relayedOut++;
      if (serverLog.cluster.enabled) serverLog.cluster('relaying a WebSocket join to %s', owner);
      this.#ws.forward(++this.#nextId, owner, req, socket, head, url);
    }
    return true;
  }

  /** Drops the exchanges in flight and waits (briefly) for the answers already written to reach Redis. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#owners.stop();
    for (const id of [...this.#out.keys()]) this.#out.get(id)?.res.destroy();
    if (this.#publishing > 0) {
      const idle = new Promise<void>((resolve) => (this.#idle = resolve));
      await withTimeout(idle, CLOSE_WAIT_MS, () => new Error('timeout')).catch(() => {});
    }
    for (const res of [...this.#in.values()]) res.abort();
    this.#ws.close();
  }

  #channel(nodeId: string): string {
    return this.#cluster.options.prefix + ':relay:' + nodeId;
  }

  /** Publishes `message` to `node`; resolves with whether a subscriber got it (false: gone, or Redis unreachable). */
  #publish(node: string, message: object): Promise<boolean> {
    const parts = this.#cluster.relayParts;
    if (parts === null) return Promise.resolve(false);
    this.#publishing++;
    return parts.link.commands.sendCommand(['PUBLISH', this.#channel(node), JSON.stringify(message)]).then(
      (receivers) => this.#published(receivers !== 0),
      () => this.#published(false),
    );
  }

  #published(ok: boolean): boolean {
    if (--this.#publishing === 0 && this.#idle !== null) this.#idle();
    return ok;
  }

  // ---- edge side ----

  async #relay(req: IncomingMessage, res: ServerResponse, url: string, owner: string): Promise<void> {
    const id = ++this.#nextId;
    const edge: EdgeExchange = { res, owner, unread: false, done: false, timer: null, credit: 0 };
    this.#out.set(id, edge);
    res.on('close', () => {
      if (edge.done && res.writableFinished) return;
      // the client left (or its answer was cut): the owner's response is dropped too
      if (!edge.done) void this.#publish(owner, { t: 'close', from: this.#cluster.nodeId, id });
      this.#finish(id, edge);
    });
    const headers: RelayedHeaders = { ...(req.headers as RelayedHeaders) };
    let body = '';
    try {
      const limit = isFormSend(req) ? formBodyLimit(this.#maxMessageSize) : this.#maxMessageSize;
      try {
        body = await readBody(req, limit, this.#bodyTimeout);
      } catch (e) {
        if (!(e instanceof RequestError) || e.code !== 'payload_too_large') throw e;
        // the owner refuses it (and ends the session, as for a local client) from the declared length
        headers['content-length'] = String(limit + 1);
        delete headers['transfer-encoding'];
        edge.unread = true;
      }
      if (edge.done) return;
      const parts = this.#cluster.relayParts;
      if (parts === null || !this.#started || this.#closed) throw new RequestError('node_unavailable', 'this node is not connected to the cluster');
      this.#metrics.relayedOut++;
      if (serverLog.cluster.enabled) serverLog.cluster('relaying %s %s to %s', req.method, url.split('?')[0], owner);
      const message = { t: 'req', from: this.#cluster.nodeId, id, method: req.method ?? 'GET', url, headers, addr: req.socket.remoteAddress ?? null, body };
      this.#arm(id, edge);
      if (await this.#publish(owner, message)) return;
      if (edge.done || edge.res.headersSent) return;
      // nobody took it: the owner is gone for good, or unreachable now
      if (await this.#owners.gone(owner)) throw new RequestError('node_lost', 'the node that held this session is gone');
      throw new RequestError('node_unavailable', `the node holding this session (${owner}) could not be reached`);
    } catch (e) {
      if (edge.done) return;
      this.#finish(id, edge);
      if (e instanceof RequestError) this.#refuse(res, e);
      else res.destroy();
    }
  }

  /** (Re)starts the wait for the owner's next message. */
  #arm(id: number, edge: EdgeExchange): void {
    if (edge.timer !== null) clearTimeout(edge.timer);
    edge.timer = setTimeout(() => {
      edge.timer = null;
      if (edge.done) return;
      void this.#publish(edge.owner, { t: 'close', from: this.#cluster.nodeId, id });
      this.#finish(id, edge);
      if (edge.res.headersSent) edge.res.destroy();
      else this.#refuse(edge.res, new RequestError('node_timeout', `the node holding this session (${edge.owner}) did not answer in time`));
    }, this.#idleMs);
    edge.timer.unref();
  }

  /** Answers a relayed request with the relay's own error (the owner never answered it), counted like any other. */
  #refuse(res: ServerResponse, error: RequestError): void {
    this.#metrics.refused(error.code, false);
    sendError(res, error, { Connection: 'close' });
  }

  #finish(id: number, edge: EdgeExchange): void {
    edge.done = true;
    if (edge.timer !== null) clearTimeout(edge.timer);
    edge.timer = null;
    this.#out.delete(id);
  }

  #fromOwner(message: RelayMessage): void {
    const edge = this.#out.get(message.id);
    if (edge === undefined || edge.owner !== message.from) return; // late, or not ours
    const res = edge.res;
    this.#arm(message.id, edge);
    try {
      switch (message.t) {
        case 'head': {
          const headers = edge.unread ? { ...message.headers, connection: 'close' } : message.headers;
          res.writeHead(message.status, headers);
          return;
        }
        case 'data': {
          const chunk = message.s !== undefined ? message.s : Buffer.from(message.b ?? '', 'base64');
          const bytes = typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
          res.write(chunk, () => this.#credit(message.id, edge, bytes));
          return;
        }
        case 'end':
          this.#finish(message.id, edge);
          res.end();
          return;
        case 'destroy':
          this.#finish(message.id, edge);
          res.destroy();
          return;
        default:
          return;
      }
    } catch (e) {
      // a head Node refuses (bad header from the owner): the client's request is cut
      this.#finish(message.id, edge);
      res.destroy();
      this.#bad(`an answer it could not write: ${String(e)}`);
    }
  }

  /** Tells the owner `bytes` more reached the client, once per tick for all the writes of that tick. */
  #credit(id: number, edge: EdgeExchange, bytes: number): void {
    if (edge.res.destroyed && !edge.res.writableFinished) return;
    if (edge.credit === 0) {
      setImmediate(() => {
        const n = edge.credit;
        edge.credit = 0;
        void this.#publish(edge.owner, { t: 'credit', from: this.#cluster.nodeId, id, n });
      });
    }
    edge.credit += bytes;
  }

  // ---- owner side ----

  #received(text: string): void {
    const message = parseRelayMessage(text);
    if (message === null) return this.#bad('a relay message that is not one: ' + text.slice(0, 100));
    if (message.t.startsWith('ws')) return this.#ws.received(message);
    switch (message.t) {
      case 'req':
        return this.#serveRelayed(message);
      case 'credit':
        this.#in.get(message.from + ' ' + message.id)?.credit(message.n);
        return;
      case 'close':
        this.#in.get(message.from + ' ' + message.id)?.abort();
        return;
      default:
        return this.#fromOwner(message);
    }
  }

  #serveRelayed(message: Extract<RelayMessage, { t: 'req' }>): void {
    const key = message.from + ' ' + message.id;
    if (this.#in.has(key)) return this.#bad(`a second request ${key}`);
    const edge = message.from;
    const base = { from: this.#cluster.nodeId, id: message.id };
    let res: RelayedResponse | null = null;
    const send = (body: object): void => {
      void this.#publish(edge, { ...base, ...body }).then((ok) => {
        // the edge is gone, or Redis is: the client's connection is as good as closed
        if (!ok) res?.abort();
      });
    };
    const sink: ResponseSink = {
      head: (status: number, headers: ResponseHeaders) => send({ t: 'head', status, headers }),
      data: (chunk) => send(typeof chunk === 'string' ? { t: 'data', s: chunk } : { t: 'data', b: Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('base64') }),
      end: () => {
        send({ t: 'end' });
        // an edge that never confirms the end (it died) does not keep the response forever
        setTimeout(() => res?.abort(), UNCONFIRMED_END_MS).unref();
      },
      destroy: () => send({ t: 'destroy' }),
    };
    const req = new RelayedRequest(message.method, message.url, message.headers, message.addr, message.body, () => res?.destroyed ?? true);
    const response = (res = new RelayedResponse(sink, req));
    this.#in.set(key, response);
    response.once('close', () => {
      if (this.#in.get(key) === response) this.#in.delete(key);
    });
    this.#metrics.relayedIn++;
    const fake = { req: req as unknown as IncomingMessage, res: response as unknown as ServerResponse };
    if (this.#closed) return this.#refuse(fake.res, new RequestError('node_lost', 'the node that held this session is shutting down'));
    this.#serve(fake.req, fake.res, message.url);
  }

  /** Redis was lost: every relayed exchange, either way, is cut (nothing more of it would arrive). */
  #dropAll(): void {
    for (const [id, edge] of [...this.#out]) {
      this.#finish(id, edge);
      edge.res.destroy();
    }
    for (const res of [...this.#in.values()]) res.abort();
    this.#ws.dropAll();
  }

  #bad(what: string): void {
    this.#report(new ClusterError('ERR_FERRY_CLUSTER_BAD_INPUT', 'ferry: the request relay dropped ' + what));
  }
}
