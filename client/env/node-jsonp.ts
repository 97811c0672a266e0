import http from 'node:http';
import https from 'node:https';
import { decodeJsonpBody } from '../../protocol/index.js';
import type { Abortable, JsonpEnv } from './env.js';

/**
 * `jsonp-polling` for Node, so tests and tools can drive the transport a browser without CORS
 * uses: the script is fetched and its one string argument decoded (never evaluated); the form
 * post is an urlencoded POST.
 */
// keep-alive and, as in node.ts, no cap on sockets per host: every session holds one for its pending poll
const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };

type Done = (error: Error | null, status: number, body: string) => void;

function exchange(method: 'GET' | 'POST', url: string, form: string | null, timeoutMs: number, done: Done): Abortable {
  const secure = url.slice(0, 6) === 'https:';
  const headers: Record<string, string | number> = {};
  if (form !== null) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    headers['Content-Length'] = Buffer.byteLength(form);
  }
  let finished = false;
  const finish: Done = (error, status, body) => {
    if (finished) return;
    finished = true;
    done(error, status, body);
  };
  const req = (secure ? https : http).request(url, { method, headers, agent: secure ? agents.https : agents.http }, (res) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    // in a later tick, as in node.ts: the next poll then reuses this keep-alive connection
    res.on('end', () => process.nextTick(finish, null, res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')));
    res.on('error', (e) => finish(e, 0, ''));
    res.on('aborted', () => finish(new Error('response aborted'), 0, ''));
  });
  req.setTimeout(timeoutMs, () => req.destroy(new Error('request timed out')));
  req.on('error', (e) => finish(e, 0, ''));
  req.end(form ?? undefined);
  return {
    abort: () => {
      finished = true;
      req.destroy();
    },
  };
}

export const nodeJsonp: JsonpEnv = {
  load(url, callbackName, timeoutMs, onResult) {
    return exchange('GET', url, null, timeoutMs, (error, status, body) => {
      if (error) return onResult(error, null, null);
      if (status !== 200) return onResult(new Error('HTTP ' + status + ': ' + body), null, status);
      const text = decodeJsonpBody(body, callbackName);
      if (text === null) return onResult(new Error('not a JSONP call of ' + callbackName), null, null);
      onResult(null, text, status);
    });
  },
  postForm(url, fields, timeoutMs, onDone) {
    return exchange('POST', url, new URLSearchParams(fields).toString(), timeoutMs, (error, status, body) => {
      if (error) return onDone(error, null);
      if (status !== 200) return onDone(new Error('HTTP ' + status + ': ' + body), status);
      onDone(null, status);
    });
  },
};
