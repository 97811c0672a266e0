import { jsonpCallback, jsonpRenderer } from './jsonp.js';
import { renderPlainPoll, type PollRenderer } from './transports/long-poll.js';

/**
 * A long-polling route. Both kinds share one code path in the router and one transport
 * (LongPollTransport); they differ only in how a response is written.
 */
export interface PollRoute {
  readonly name: 'xhr-polling' | 'jsonp-polling';
  /** Validates the route's own parameters (400 on error) and returns how to write this poll's response. */
  renderer(params: URLSearchParams): PollRenderer;
}

/** Route path (under `{path}`) → polling transport. */
export const POLL_ROUTES: Readonly<Record<string, PollRoute>> = {
  '/v1/poll': { name: 'xhr-polling', renderer: () => renderPlainPoll },
  '/v1/jsonp': { name: 'jsonp-polling', renderer: (params) => jsonpRenderer(jsonpCallback(params)) },
};
