import type { ServerResponse } from 'node:http';
import { lineChunk, linePrelude } from '../../protocol/index.js';
import { HttpStreamTransport } from './http-stream.js';

/** XHR streaming: one chunked `text/plain` response read as it grows, one line per packet. */
export class XhrStreamTransport extends HttpStreamTransport {
  readonly name = 'xhr-streaming';

  constructor(res: ServerResponse, epoch: number, byteLimit: number, headers: Record<string, string>) {
    super(res, epoch, byteLimit, headers, {
      contentType: 'text/plain; charset=utf-8',
      start: () => linePrelude() + lineChunk('[]'),
      packet: (text) => lineChunk(text),
    });
  }
}
