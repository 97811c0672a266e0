import http from 'node:http';
import https from 'node:https';
import type { Abortable, HttpCallback } from './env.js';

// One keep-alive pool per process for every request the Node client makes, and no cap on sockets
// per host: every long-polling session holds one for its pending poll.
const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };

/** A request body and its media type. */
export interface RequestBody {
  type: string;
  text: string;
}

/** Starts a request; `onResponse` gets the response as it starts. */
export function send(method: string, url: string, body: RequestBody | null, timeoutMs: number, onResponse: (res: http.IncomingMessage) => void, onError: (e: Error) => void): http.ClientRequest {
  const secure = url.startsWith('https:');
  // Not a browser, so it names the page it stands for: one on the Ferry URL's own origin. The server
  // wants that proof on requests a foreign page could misuse (JSONP's scripts, form-typed handshakes).
  const headers: Record<string, string | number> = { Referer: new URL(url).origin + '/' };
  if (body !== null) {
    headers['Content-Type'] = body.type;
    headers['Content-Length'] = Buffer.byteLength(body.text);
  }
  const req = (secure ? https : http).request(url, { method, headers, agent: secure ? agents.https : agents.http }, onResponse);
  req.setTimeout(timeoutMs, () => req.destroy(new Error('request timed out')));
  req.on('error', onError);
  req.end(body === null ? undefined : body.text);
  return req;
}

/** A whole request: `callback` gets the status and the body text once the response has ended. */
export function request(method: 'GET' | 'POST', url: string, body: RequestBody | null, timeoutMs: number, callback: HttpCallback): Abortable {
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
