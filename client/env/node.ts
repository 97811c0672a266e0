import http from 'node:http';
import https from 'node:https';
import { WebSocket } from 'ws';
import { IframeStreamDecoder } from '../../protocol/index.js';
import type { Abortable, ClientEnv, HttpCallback, StreamHandlers, WebSocketLike } from './env.js';

const agents = { http: new http.Agent({ keepAlive: true, maxSockets: 64 }), https: new https.Agent({ keepAlive: true, maxSockets: 64 }) };

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
    res.on('end', () => finish(null, { status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
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

/** Node has no iframes: read the same HTML stream and pull the packets out of its script chunks. */
function openIframeStream(url: string, _callbackId: string, handlers: StreamHandlers): Abortable {
  let ended = false;
  const end = (status: number | null) => {
    if (ended) return;
    ended = true;
    handlers.onEnd(status);
  };
  const decoder = new IframeStreamDecoder();
  const req = send('GET', url, null, 2 ** 31 - 1, (res) => {
    if (res.statusCode !== 200) {
      res.resume();
      end(res.statusCode ?? 0);
      return;
    }
    res.setEncoding('utf8');
    res.on('data', (text: string) => {
      if (ended) return;
      for (const packet of decoder.push(text)) {
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

export const nodeEnv: ClientEnv = {
  request,
  createWebSocket: (url) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.binaryType = 'arraybuffer';
    return ws as unknown as WebSocketLike;
  },
  openIframeStream,
  defer: queueMicrotask,
};
