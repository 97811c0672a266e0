import type { IncomingMessage } from 'node:http';
import { RequestError } from './http-errors.js';

/**
 * Reads a request body as UTF-8 text, refusing more than `limit` bytes, and refusing a body that
 * has not fully arrived `timeout` ms after reading began (a total deadline, not an idle timer: a
 * body trickled one byte at a time cannot hold the request open for longer than this).
 */
export function readBody(req: IncomingMessage, limit: number, timeout: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (declared > limit) {
      // nothing is read: the refusal closes the connection (see refuse.ts)
      reject(new RequestError('payload_too_large', `request body exceeds ${limit} bytes`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (): boolean => {
      if (done) return false;
      done = true;
      clearTimeout(deadline);
      return true;
    };
    const deadline = setTimeout(() => {
      if (finish()) reject(new RequestError('request_timeout', `the request body did not arrive within ${timeout} ms`));
    }, timeout);
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        finish();
        reject(new RequestError('payload_too_large', `request body exceeds ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!finish()) return;
      resolve(chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', (err) => {
      if (finish()) reject(err);
    });
    req.on('aborted', () => {
      if (finish()) reject(new Error('request aborted'));
    });
  });
}
