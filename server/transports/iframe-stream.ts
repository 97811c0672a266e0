import type { ServerResponse } from 'node:http';
import { iframeChunk, iframePrelude } from '../../protocol/index.js';
import { HttpStreamTransport } from './http-stream.js';

/**
 * Iframe streaming ("forever frame"): one long HTML response, one `<script>` chunk per packet,
 * each calling the function the parent page registered under the callback id.
 */
export class IframeStreamTransport extends HttpStreamTransport {
  readonly name = 'iframe-streaming';

  constructor(res: ServerResponse, epoch: number, callbackId: string, byteLimit: number, headers: Record<string, string>) {
    super(res, epoch, byteLimit, headers, {
      contentType: 'text/html; charset=utf-8',
      start: () => iframePrelude(callbackId) + iframeChunk('[]'),
      packet: (text) => iframeChunk(text),
    });
  }
}
