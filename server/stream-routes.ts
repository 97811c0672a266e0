import type { IncomingMessage, ServerResponse } from 'node:http';
import { IFRAME_CALLBACK_PATTERN, type TransportName } from '../protocol/index.js';
import { RequestError } from './http-errors.js';
import type { ResolvedOptions } from './options.js';
import { IframeStreamTransport } from './transports/iframe-stream.js';
import type { ServerTransport } from './transports/transport.js';

/** What a streaming route gets once the router has authenticated the request and checked its epoch. */
export interface StreamRequest {
  req: IncomingMessage;
  res: ServerResponse;
  params: URLSearchParams;
  epoch: number;
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
  open(request: StreamRequest): ServerTransport;
}

const iframeRoute: StreamRoute = {
  name: 'iframe-streaming',
  open({ res, params, epoch, headers, options }) {
    const callback = params.get('c') ?? '';
    if (!IFRAME_CALLBACK_PATTERN.test(callback)) throw new RequestError('bad_request', 'the c parameter must be 1-12 digits');
    return new IframeStreamTransport(res, epoch, callback, options.streamByteLimit, {
      ...headers,
      'Content-Security-Policy': "default-src 'none'; script-src 'unsafe-inline'; frame-ancestors 'self'",
      'X-Frame-Options': 'SAMEORIGIN',
    });
  },
};

/** Route path (under `{path}`) → streaming transport. */
export const STREAM_ROUTES: Readonly<Record<string, StreamRoute>> = {
  '/v1/iframe': iframeRoute,
};
