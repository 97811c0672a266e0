import { EventEmitter } from 'node:events';
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { RawData, WebSocket, WebSocketServer } from 'ws';
import { RequestError } from '../../http-errors.js';
import { closeGoneSession, sessionGone } from '../../gone-session.js';
import { acceptingServer } from '../../websocket-server.js';
import type { HttpErrorCode } from '../../../protocol/index.js';
import type { RelayMessage } from './relay-messages.js';
import { RelayedRequest } from './relayed-exchange.js';

/** The join of a relayed WebSocket on the owner (WebSocketUpgrades.joinRelayed). */
export type JoinRelayed = (req: IncomingMessage, url: string, accept: () => { ws: WebSocket; socket: Duplex }) => RequestError | null;

/** What the WebSocket relay needs of HttpRelay: publishing to a node, and its node id. */
export interface RelayChannel {
  readonly nodeId: string;
  /** Resolves with whether a subscriber got it. */
  publish(node: string, message: object): Promise<boolean>;
  /** Whether `node`, which a publish did not reach, is gone from the cluster (owner-watch.ts). */
  gone(node: string): Promise<boolean>;
}

/** The socket buffer above which the owner's WebSocketTransport waits for `drain` (as for a local socket). */
const HIGH_WATER = 64 * 1024;
/** How long a closed relayed WebSocket waits for the edge to confirm its close, in ms. */
const CLOSE_WAIT_MS = 5_000;

type Chunk = { s?: string; b?: string };

function chunkOf(data: string | Uint8Array): Chunk {
  return typeof data === 'string' ? { s: data } : { b: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64') };
}

/**
 * The owner's side of a relayed WebSocket: the subset of a `ws` WebSocket that WebSocketTransport
 * uses (send, close, terminate, bufferedAmount, readyState, the `message` and `close` events) and,
 * as `socket`, the `drain` it waits for. `bufferedAmount` counts what the edge has not written
 * to the client yet.
 */
class RelayedWebSocket extends EventEmitter {
  readyState = 1;
  readonly socket = new EventEmitter();
  #unconfirmed = 0;
  readonly #send: (message: object) => void;

  constructor(send: (message: object) => void) {
    super();
    this.#send = send;
  }

  get bufferedAmount(): number {
    return this.#unconfirmed;
  }

  /** As `ws` sends: bytes with `binary: false` are a text message's UTF-8. */
  send(data: string | Uint8Array, options?: { binary?: boolean }): void {
    if (this.readyState !== 1) return;
    if (typeof data !== 'string' && options?.binary === false) data = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString();
    this.#unconfirmed += typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
    this.#send({ t: 'wsdata', ...chunkOf(data) });
  }

  close(code?: number, reason?: string): void {
    if (this.readyState !== 1) return;
    this.readyState = 2;
    this.#send({ t: 'wsclose', code: code ?? 1000, reason: reason ?? '' });
    setTimeout(() => this.closed(1006), CLOSE_WAIT_MS).unref();
  }

  terminate(): void {
    if (this.readyState === 3) return;
    this.#send({ t: 'wsterminate' });
    this.closed(1006);
  }

  /** @internal The edge wrote `bytes` more to the client. */
  credit(bytes: number): void {
    this.#unconfirmed = Math.max(0, this.#unconfirmed - bytes);
    if (this.#unconfirmed < HIGH_WATER) this.socket.emit('drain');
  }

  /** @internal The client's WebSocket closed (or the relay is gone: 1006). */
  closed(code: number): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    process.nextTick(() => this.emit('close', code, Buffer.alloc(0)));
  }
}

/** An upgrade this node (the edge) relays, while it waits for the owner's yes and then while it is open. */
interface EdgeSocket {
  readonly owner: string;
  readonly req: IncomingMessage;
  readonly socket: Duplex;
  readonly head: Buffer;
  ws: WebSocket | null;
  timer: NodeJS.Timeout | null;
  credit: number;
}

/**
 * WebSocket joins (`/v1/ws?sid=…`) for another node's session (issue 14): the edge asks the owner
 * (`wsopen`), which runs the checks of a local join and answers `wsok` or `wsrefuse` (the edge then
 * refuses the upgrade with the owner's status and body); on `wsok` the edge completes the upgrade
 * and relays messages both ways (`wsmsg` up, `wsdata` down, `wscredit` for what it wrote), and
 * closes (`wsclose`/`wsterminate` down, `wsclosed` up).
 */
export class WebSocketRelay {
  readonly #channel: RelayChannel;
  readonly #join: JoinRelayed;
  readonly #wss: WebSocketServer;
  readonly #answerMs: number;
  readonly #refused: (code: HttpErrorCode) => void;
  readonly #out = new Map<number, EdgeSocket>();
  readonly #in = new Map<string, RelayedWebSocket>();

  constructor(channel: RelayChannel, join: JoinRelayed, maxMessageSize: number, answerMs: number, refused: (code: HttpErrorCode) => void) {
    this.#channel = channel;
    this.#refused = refused;
    this.#join = join;
    this.#answerMs = answerMs;
    this.#wss = acceptingServer(maxMessageSize);
  }

  /** Edge: asks `owner` to take the WebSocket joining its session; `id` is the relay's number for it. */
  forward(id: number, owner: string, req: IncomingMessage, socket: Duplex, head: Buffer, url: string): void {
    socket.on('error', () => socket.destroy());
    const edge: EdgeSocket = { owner, req, socket, head, ws: null, timer: null, credit: 0 };
    this.#out.set(id, edge);
    socket.once('close', () => {
      // the client left before the owner's answer: the owner drops what it may have opened
      if (edge.ws === null) this.#tellClosed(id, edge, 1006);
    });
    edge.timer = setTimeout(() => this.#refuse(id, edge, new RequestError('node_timeout', `the node holding this session (${owner}) did not answer in time`)), this.#answerMs);
    edge.timer.unref();
    const message = { t: 'wsopen', from: this.#channel.nodeId, id, url, headers: req.headers, addr: req.socket.remoteAddress ?? null };
    void this.#channel.publish(owner, message).then(async (ok) => {
      if (ok || edge.ws !== null) return;
      // nobody took it: the owner is gone for good (the client renews), or unreachable now (it retries)
      const gone = await this.#channel.gone(owner);
      if (gone) this.#refuse(id, edge, new RequestError('node_lost', 'the node that held this session is gone'));
      else this.#refuse(id, edge, new RequestError('node_unavailable', `the node holding this session (${owner}) could not be reached`));
    });
  }

  /** A `ws…` message from another node. */
  received(message: RelayMessage): void {
    if (message.t === 'wsopen') return this.#open(message);
    const owned = this.#in.get(message.from + ' ' + message.id);
    switch (message.t) {
      case 'wsmsg':
        if (owned !== undefined && owned.readyState === 1) owned.emit('message', message.s !== undefined ? Buffer.from(message.s) : Buffer.from(message.b ?? '', 'base64'), message.s === undefined);
        return;
      case 'wscredit':
        owned?.credit(message.n);
        return;
      case 'wsclosed':
        owned?.closed(message.code);
        return;
      default:
        return this.#fromOwner(message);
    }
  }

  /** Redis was lost, or this node closes: every relayed WebSocket is cut, both ways. */
  dropAll(): void {
    for (const [id, edge] of [...this.#out]) {
      if (edge.timer !== null) clearTimeout(edge.timer);
      // the owner hears of it if Redis still carries it (this node closing); else its next send finds no edge
      this.#tellClosed(id, edge, 1006);
      if (edge.ws !== null) edge.ws.terminate();
      else edge.socket.destroy();
    }
    for (const ws of [...this.#in.values()]) ws.closed(1006);
  }

  /** The owners of the WebSockets this node relays now. */
  owners(): string[] {
    return [...this.#out.values()].map((edge) => edge.owner);
  }

  /** `owner` is dead: its relayed WebSockets are cut (the client resumes, then renews), those waiting for it refused with 404. */
  cutOwner(owner: string): void {
    for (const [id, edge] of [...this.#out]) {
      if (edge.owner !== owner) continue;
      if (edge.ws === null) {
        this.#refuse(id, edge, new RequestError('node_lost', 'the node that held this session is gone'));
      } else {
        this.#out.delete(id);
        edge.ws.terminate();
      }
    }
  }

  close(): void {
    this.dropAll();
    this.#wss.close();
  }

  // ---- edge side ----

  #fromOwner(message: RelayMessage): void {
    const edge = this.#out.get(message.id);
    if (edge === undefined || edge.owner !== message.from) return;
    const ws = edge.ws;
    switch (message.t) {
      case 'wsok':
        if (ws !== null) return;
        if (edge.timer !== null) clearTimeout(edge.timer);
        edge.timer = null;
        if (edge.socket.destroyed) return this.#tellClosed(message.id, edge, 1006);
        this.#wss.handleUpgrade(edge.req, edge.socket, edge.head, (accepted) => this.#accepted(message.id, edge, accepted));
        return;
      case 'wsrefuse':
        if (ws === null) this.#refuse(message.id, edge, null, message.status, message.body);
        return;
      case 'wsdata': {
        if (ws === null) return;
        const data = message.s !== undefined ? message.s : Buffer.from(message.b ?? '', 'base64');
        const bytes = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
        ws.send(data, { binary: typeof data !== 'string' }, () => this.#credit(message.id, edge, bytes));
        return;
      }
      case 'wsclose':
        ws?.close(message.code, message.reason);
        return;
      case 'wsterminate':
        ws?.terminate();
        return;
      default:
        return;
    }
  }

  #accepted(id: number, edge: EdgeSocket, ws: WebSocket): void {
    edge.ws = ws;
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      const chunk = isBinary ? { b: bytes.toString('base64') } : { s: bytes.toString('utf8') };
      void this.#channel.publish(edge.owner, { t: 'wsmsg', from: this.#channel.nodeId, id, ...chunk }).then((ok) => {
        // the owner is gone (or Redis is): the client resumes elsewhere
        if (!ok) ws.terminate();
      });
    });
    ws.on('error', () => {});
    ws.on('close', (code: number) => this.#tellClosed(id, edge, code));
  }

  #tellClosed(id: number, edge: EdgeSocket, code: number): void {
    if (this.#out.get(id) !== edge) return;
    this.#out.delete(id);
    void this.#channel.publish(edge.owner, { t: 'wsclosed', from: this.#channel.nodeId, id, code });
  }

  #credit(id: number, edge: EdgeSocket, bytes: number): void {
    if (edge.credit === 0) {
      setImmediate(() => {
        const n = edge.credit;
        edge.credit = 0;
        if (this.#out.get(id) === edge) void this.#channel.publish(edge.owner, { t: 'wscredit', from: this.#channel.nodeId, id, n });
      });
    }
    edge.credit += bytes;
  }

  /**
   * Refuses the upgrade with `error`, or with the owner's `status` and JSON `body`; a session that
   * is gone is told so with a close instead (gone-session.ts).
   */
  #refuse(id: number, edge: EdgeSocket, error: RequestError | null, status = 502, body = ''): void {
    if (this.#out.get(id) !== edge || edge.ws !== null) return;
    this.#out.delete(id);
    if (edge.timer !== null) clearTimeout(edge.timer);
    // the relay's own refusal is counted here; one the owner sent (error null) was counted there
    if (error !== null) this.#refused(error.code);
    const reason = error !== null ? error.code : errorCodeOf(body);
    if (sessionGone(reason) && !edge.socket.destroyed) return closeGoneSession(this.#wss, edge.req, edge.socket, edge.head, reason);
    const code = error === null ? status : error.status;
    const text = error === null ? body : error.body();
    const socket = edge.socket;
    if (socket.writable) {
      socket.end(
        `HTTP/1.1 ${code} ${STATUS_CODES[code] ?? 'Error'}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\n` +
          `Content-Length: ${Buffer.byteLength(text)}\r\nCache-Control: no-store\r\n\r\n${text}`,
      );
    }
    socket.destroy();
  }

  // ---- owner side ----

  #open(message: Extract<RelayMessage, { t: 'wsopen' }>): void {
    const key = message.from + ' ' + message.id;
    if (this.#in.has(key)) return;
    const edge = message.from;
    const base = { from: this.#channel.nodeId, id: message.id };
    let relayed: RelayedWebSocket | null = null;
    const send = (body: object): void => {
      void this.#channel.publish(edge, { ...base, ...body }).then((ok) => {
        if (!ok) relayed?.closed(1006);
      });
    };
    const req = new RelayedRequest('GET', message.url, message.headers, message.addr, '', () => relayed === null || relayed.readyState === 3);
    const refusal = this.#join(req as unknown as IncomingMessage, message.url, () => {
      const ws = (relayed = new RelayedWebSocket(send));
      this.#in.set(key, ws);
      ws.once('close', () => {
        if (this.#in.get(key) === ws) this.#in.delete(key);
      });
      send({ t: 'wsok' });
      return { ws: ws as unknown as WebSocket, socket: ws.socket as unknown as Duplex };
    });
    if (refusal !== null) send({ t: 'wsrefuse', status: refusal.status, body: refusal.body() });
  }
}

/** The `error` code of an HTTP error body (`{"error": code, …}`), or ''. */
function errorCodeOf(body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    const code = typeof parsed === 'object' && parsed !== null ? (parsed as { error?: unknown }).error : undefined;
    return typeof code === 'string' ? code : '';
  } catch {
    return '';
  }
}
