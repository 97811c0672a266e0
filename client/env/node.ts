import createDebug from 'debug';
import { WebSocket } from 'ws';
import { IframeStreamDecoder, LineDecoder, SseDecoder } from '../../protocol/index.js';
import type { Abortable, ClientEnv, StreamHandlers, WebSocketLike } from './env.js';
import { request, send } from './node-http.js';
import { nodeJsonp } from './node-jsonp.js';

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

const clientDebug = createDebug('ferry:client');

export const nodeEnv: ClientEnv = {
  request: (method, url, body, timeoutMs, callback) => request(method, url, body === null ? null : { type: 'text/plain;charset=UTF-8', text: body }, timeoutMs, callback),
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
  // the `debug` convention: silent unless DEBUG names ferry:client (DEBUG=ferry:*)
  log: clientDebug.enabled ? (line) => clientDebug(line) : null,
};
