import http from 'node:http';
import { WebSocket } from 'ws';

/**
 * HTTP requests and WebSockets from a chosen loopback address: Linux routes all of 127.0.0.0/8
 * to the local host, so binding the client side to 127.0.0.2, 127.0.0.3… makes each look like
 * another client to a server listening on 127.0.0.1.
 */
export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** The body parsed as JSON, or undefined. */
  json: unknown;
}

export interface RequestSpec {
  from: string;
  method?: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
  agent?: http.Agent;
}

export function requestFrom(port: number, spec: RequestSpec): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: spec.method ?? 'GET',
        path: spec.path,
        headers: { ...(spec.body === undefined ? {} : { 'Content-Type': 'text/plain' }), ...spec.headers },
        localAddress: spec.from,
        agent: spec.agent ?? false,
      },
      (res) => {
        readReply(res, resolve);
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(spec.body);
  });
}

/** Reads a whole response as text, and as JSON where it parses. */
function readReply(res: http.IncomingMessage, done: (reply: Reply) => void): void {
  let text = '';
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => (text += chunk));
  res.on('end', () => {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    done({ status: res.statusCode ?? 0, headers: res.headers, text, json });
  });
}

/** A keep-alive agent whose sockets are bound to `from` (fast floods: no connection per request). */
export function agentFrom(from: string): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets: 16, localAddress: from } as http.AgentOptions);
}

export interface SessionKeys {
  sid: string;
  token: string;
}

/** POSTs a handshake from `from`. */
export function handshakeFrom(port: number, from: string, agent?: http.Agent, headers?: Record<string, string>): Promise<Reply> {
  return requestFrom(port, { from, method: 'POST', path: '/ferry/v1/handshake', agent, headers });
}

/** Sends one application message on a session (it is established from then on). */
export function sendMessage(port: number, from: string, keys: SessionKeys, seq = 1, value = 'hello'): Promise<Reply> {
  const q = `sid=${encodeURIComponent(keys.sid)}&t=${encodeURIComponent(keys.token)}`;
  return requestFrom(port, { from, method: 'POST', path: `/ferry/v1/send?${q}`, body: JSON.stringify([['m', seq, value]]) });
}

/** One poll on a session (epoch 1), answered with what is queued or, if nothing is, after the hold. */
export function pollOnce(port: number, from: string, keys: SessionKeys, ack = 0): Promise<Reply> {
  const q = `sid=${encodeURIComponent(keys.sid)}&t=${encodeURIComponent(keys.token)}&e=1&ack=${ack}`;
  return requestFrom(port, { from, path: `/ferry/v1/poll?${q}` });
}

/** What a WebSocket upgrade to the direct-session route got: a socket, or a refusal. */
export type UpgradeResult = { ws: WebSocket } | { refused: Reply };

export function websocketFrom(port: number, from: string, query = ''): Promise<UpgradeResult> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ferry/v1/ws${query}`, { localAddress: from });
    ws.on('open', () => resolve({ ws }));
    ws.on('unexpected-response', (_req, res) => {
      readReply(res, (refused) => resolve({ refused }));
    });
    ws.on('error', reject);
  });
}
