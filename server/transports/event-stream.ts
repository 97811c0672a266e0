import type { ServerResponse } from 'node:http';
import { sseEvent, ssePrelude } from '../../protocol/index.js';
import { HttpStreamTransport } from './http-stream.js';

/**
 * Server-Sent Events: one `text/event-stream` response, one event per packet. Each event's id is
 * the highest message seq the stream has carried (starting from the client's ack), so the
 * `Last-Event-ID` of a browser EventSource that reconnected by itself is a valid ack.
 */
export class EventStreamTransport extends HttpStreamTransport {
  readonly name = 'eventsource';

  constructor(res: ServerResponse, epoch: number, clientAck: number, byteLimit: number, headers: Record<string, string>) {
    let lastId = String(clientAck);
    super(res, epoch, byteLimit, headers, {
      contentType: 'text/event-stream; charset=utf-8',
      start: () => ssePrelude() + sseEvent('[]', lastId),
      packet: (text, lastSeq) => {
        if (lastSeq > 0) lastId = String(lastSeq);
        return sseEvent(text, lastId);
      },
    });
  }
}
