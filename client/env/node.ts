import http from 'node:http';
import https from 'node:https';
import { WebSocket } from 'ws';
import { IframeStreamDecoder, LineDecoder, SseDecoder } from '../../protocol/index.js';
import type { Abortable, ClientEnv, HttpCallback, StreamHandlers, WebSocketLike } from './env.js';
import { nodeJsonp } from './node-jsonp.js';

// keep-alive, and no cap on sockets: every long-polling session holds one for its pending poll
const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };

function send(method: string, url: string, body: string | null, timeoutMs: number, onResponse: (res: http.IncomingMessage) => void, onError: (e: Error) => void): http.ClientRequest {
  const secure = url.startsWith('https:');
  const lib = secure ? https : http;
  const headers: Record<string, string | number> = {};
  if (body !== null) {
    headers['Content-Type'] = 'text/plain;charset=UTF-8';
    headers['Content-Length'] = Buffer.byteLength(body);
  }
  const req = lib.request(url, { method, headers, agent: secure ? agents.https : agents.http }, onResponse);
  req.setTimeout(timeoutMs, () => req.destroy(new Error('request timed out')));
  req.on('error', onError);
  req.end(body ?? undefined);
  return req;
}

function request(method: 'GET' | 'POST', url: string, body: string | null, timeoutMs: number, callback: HttpCallback): Abortable {
  let done = false;
  const finish: HttpCallback = (error, result) => {
    if (done) return;
    done = true;
    callback(error, result);
  };
  const req = send(method, url, body, timeoutMs, (res) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    // Node hands a keep-alive socket back to its agent in the tick after 'end'. Answering in a later
    // tick lets the request this answer starts (the next poll) reuse the same connection; answered
    // at once, it would take another, and polls would alternate between two connections.
    res.on('end', () => process.nextTick(finish, null, { status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    res.on('error', (e) => finish(e, null));
    res.on('aborted', () => finish(new Error('response aborted'), null));
  }, (e) => finish(e, null));
  return {
    abort: () => {
      done = true;
      req.destroy();
    },
  };
}

/** Turns response text, split anywhere, into packet texts. */
type PacketDecoder = (text: string) => string[];

/** A streaming GET: the body is decoded as it arrives, and each packet handed over at once. */
function openPacketStream(url: string, decode: PacketDecoder, handlers: StreamHandlers): Abortable {
  let ended = false;
  const end = (status: number | null) => {
    if (ended) return;
    ended = true;
    handlers.onEnd(status);
  };
  const req = send('GET', url, null, 2 ** 31 - 1, (res) => {
    if (res.statusCode !== 200) {
      res.resume();
      end(res.statusCode ?? 0);
      return;
    }
    res.setEncoding('utf8');
    res.on('data', (text: string) => {
      if (ended) return;
      for (const packet of decode(text)) {
        if (ended) return;
        handlers.onPacket(packet);
      }
    });
    res.on('end', () => end(null));
    res.on('error', () => end(null));
    res.on('aborted', () => end(null));
  }, () => end(null));
  req.setTimeout(0);
  return {
    abort: () => {
      ended = true;
      req.destroy();
    },
  };
}

/** Node has no iframes: read the same HTML stream and pull the packets out of its script chunks. */
function openIframeStream(url: string, _callbackId: string, handlers: StreamHandlers): Abortable {
  const decoder = new IframeStreamDecoder();
  return openPacketStream(url, (text) => decoder.push(text), handlers);
}

/** Node has no EventSource: parse the event stream; each `message` event's data is a packet. */
function openEventSource(url: string, handlers: StreamHandlers): Abortable {
  const decoder = new SseDecoder();
  return openPacketStream(url, (text) => decoder.push(text).filter((event) => event.type === 'message').map((event) => event.data), handlers);
}

/** XHR streaming is a plain streaming GET here: one packet per line, after a padding line. */
function openXhrStream(url: string, handlers: StreamHandlers): Abortable {
  const decoder = new LineDecoder();
  return openPacketStream(url, (text) => decoder.push(text), handlers);
}

/**
 * `ws` in the browser WebSocket's shape (`on…` handlers, `{ data }` events), over its
 * EventEmitter API: `ws`'s own `onmessage` builds a MessageEvent for every message.
 */
class NodeWebSocket implements WebSocketLike {
  onopen: WebSocketLike['onopen'] = null;
  onmessage: WebSocketLike['onmessage'] = null;
  onclose: WebSocketLike['onclose'] = null;
  onerror: WebSocketLike['onerror'] = null;
  private readonly _ws: WebSocket;

  constructor(url: string) {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.binaryType = 'arraybuffer';
    this._ws = ws;
    ws.on('open', () => this.onopen?.(null));
    // text arrives as a Buffer, binary as an ArrayBuffer (binaryType)
    ws.on('message', (data, isBinary) => this.onmessage?.({ data: isBinary ? data : data.toString() }));
    ws.on('close', (code, reason) => this.onclose?.({ code, reason: reason.toString() }));
    // always listened to: an unheard 'error' would throw
    ws.on('error', (error) => this.onerror?.(error));
  }

  get binaryType(): string {
    return this._ws.binaryType;
  }

  set binaryType(type: string) {
    this._ws.binaryType = type as WebSocket['binaryType'];
  }

  get readyState(): number {
    return this._ws.readyState;
  }

  send(data: string | ArrayBufferView | ArrayBuffer): void {
    this._ws.send(data);
  }

  close(code?: number, reason?: string): void {
    this._ws.close(code, reason);
  }
}

export const nodeEnv: ClientEnv = {
  request,
  createWebSocket: (url) => new NodeWebSocket(url),
  openIframeStream,
  openEventSource,
  openXhrStream,
  storage: null,
  jsonp: nodeJsonp,
  // Node has no same-origin policy
  xhrReachesServer: true,
  // process.nextTick: what queueMicrotask does without its per-call async-hooks resource
  defer: (fn) => process.nextTick(fn),
};
