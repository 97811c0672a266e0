import type { IncomingMessage, ServerResponse } from 'node:http';
import { IFRAME_CALLBACK_PATTERN, type TransportName } from '../protocol/index.js';
import { RequestError } from './http-errors.js';
import type { ResolvedOptions } from './options.js';
import { EventStreamTransport } from './transports/event-stream.js';
import { IframeStreamTransport } from './transports/iframe-stream.js';
import { allowedParentOrigin } from './relay-page.js';
import { XhrStreamTransport } from './transports/xhr-stream.js';
import type { ServerTransport } from './transports/transport.js';

/** What a streaming route gets once the router has authenticated the request and checked its epoch. */
export interface StreamRequest {
  req: IncomingMessage;
  res: ServerResponse;
  params: URLSearchParams;
  epoch: number;
  /** What the client has received: the higher of the `ack` parameter and the route's `requestAck`. */
  ack: number;
  /** Headers the response must carry (CORS). */
  headers: Record<string, string>;
  options: ResolvedOptions;
}

/**
 * A downstream streaming transport: one long GET response carrying packets, sends by POST. The
 * router does the shared work (origin, session, epoch, ack, heartbeat, attach); a route only
 * validates its own parameters and builds the transport.
 */
export interface StreamRoute {
  readonly name: TransportName;
  /** An ack the request carries besides its `ack` parameter, or 0; the router uses the higher. */
  requestAck?(req: IncomingMessage): number;
  open(request: StreamRequest): ServerTransport;
}

const iframeRoute: StreamRoute = {
  name: 'iframe-streaming',
  open({ req, res, params, epoch, headers, options }) {
    const callback = params.get('c') ?? '';
    if (!IFRAME_CALLBACK_PATTERN.test(callback)) throw new RequestError('bad_request', 'the c parameter must be 1-12 digits');
    // `o`: opened by the relay page (relay-page.ts), so the page framing the relay is an ancestor too
    const relayed = params.has('o') ? allowedParentOrigin(params.get('o'), options, req) : null;
    const csp = "default-src 'none'; script-src 'unsafe-inline'; frame-ancestors 'self'";
    return new IframeStreamTransport(res, epoch, callback, options.streamByteLimit, {
      ...headers,
      ...(relayed === null ? { 'Content-Security-Policy': csp, 'X-Frame-Options': 'SAMEORIGIN' } : { 'Content-Security-Policy': csp + ' ' + relayed }),
    });
  },
};

const eventSourceRoute: StreamRoute = {
  name: 'eventsource',
  // a browser EventSource that reconnects by itself keeps its URL (and its old `ack`) but sends the
  // id of the last event it got, which is the highest message seq it has
  requestAck(req) {
    const header = req.headers['last-event-id'];
    if (header === undefined || header === '') return 0;
    if (typeof header !== 'string' || !/^[0-9]{1,15}$/.test(header)) throw new RequestError('bad_request', 'the Last-Event-ID header must be a non-negative integer');
    return Number(header);
  },
  open({ res, epoch, ack, headers, options }) {
    return new EventStreamTransport(res, epoch, ack, options.streamByteLimit, headers);
  },
};

const xhrStreamRoute: StreamRoute = {
  name: 'xhr-streaming',
  open({ res, epoch, headers, options }) {
    return new XhrStreamTransport(res, epoch, options.streamByteLimit, headers);
  },
};

/** Route path (under `{path}`) → streaming transport. */
export const STREAM_ROUTES: Readonly<Record<string, StreamRoute>> = {
  '/v1/iframe': iframeRoute,
  '/v1/eventsource': eventSourceRoute,
  '/v1/xhr-stream': xhrStreamRoute,
};
