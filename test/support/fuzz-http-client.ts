import http from 'node:http';
import type { HttpInput } from './fuzz-http.js';

/** What came back for one input. `cut`: we gave up waiting (a held poll or stream): no verdict. */
export type HttpAnswer =
  | { cut: false; status: number; contentType: string; body: string }
  | { cut: true; status: number | null }
  | { cut: false; status: null; failure: string };

/** Header values go out as their UTF-8 bytes (Node refuses anything outside Latin-1 as a string). */
function wireHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) out[name] = Buffer.from(value, 'utf8').toString('latin1').replace(/[\r\n\0]/g, ' ');
  return out;
}

/** Longest wait for an answer that is not held: past this the input is reported as unanswered. */
const ANSWER_TIMEOUT_MS = 15_000;

/**
 * Sends one input over `agent` (keep-alive, many sockets) and reads the answer. A response that
 * streams (status 200 on a poll or stream route) is read up to its headers only. An input that
 * may be held is cut after `holdMs`.
 */
export function sendHttp(agent: http.Agent, port: number, input: HttpInput, holdMs: number): Promise<HttpAnswer> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (answer: HttpAnswer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(answer);
    };
    const headers = wireHeaders(input.headers);
    if (input.ownSocket) headers.Connection = 'close';
    // Node frames a GET's or DELETE's body with nothing: say its length, or it would be parsed as the next request
    if (input.body !== undefined && headers['Content-Length'] === undefined) headers['Content-Length'] = String(input.body.length);
    let req: http.ClientRequest;
    try {
      req = http.request({ host: '127.0.0.1', port, method: input.method, path: input.path, headers, agent: input.ownSocket ? false : agent, setHost: input.headers.Host === undefined });
    } catch (e) {
      resolve({ cut: false, status: null, failure: 'the client refused the input: ' + String(e) });
      return;
    }
    let status: number | null = null;
    const timer = setTimeout(() => {
      req.destroy();
      finish(input.mayHold ? { cut: true, status } : { cut: false, status: null, failure: `no answer within ${ANSWER_TIMEOUT_MS} ms` });
    }, input.mayHold ? holdMs : ANSWER_TIMEOUT_MS);
    req.on('response', (res) => {
      status = res.statusCode ?? 0;
      const contentType = String(res.headers['content-type'] ?? '');
      // a 200 on a held route is a stream (or a poll answered at once): its status is the verdict
      if (status === 200 && input.mayHold) {
        res.destroy();
        finish({ cut: false, status, contentType, body: '' });
        return;
      }
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => finish({ cut: false, status: status ?? 0, contentType, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', () => finish({ cut: true, status }));
      res.on('aborted', () => finish({ cut: true, status }));
    });
    req.on('error', (e) => {
      // the server may answer and close before a body it refused was fully written (a lie, a 413)
      if (status !== null || input.ownSocket || input.mayHold) finish({ cut: true, status });
      else finish({ cut: false, status: null, failure: `request error: ${e.message} (${(e as NodeJS.ErrnoException).code}, reused socket: ${req.reusedSocket})` });
    });
    if (input.body !== undefined) req.end(input.body);
    else req.end();
  });
}
