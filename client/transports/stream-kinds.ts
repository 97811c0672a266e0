import type { TransportName } from '../../protocol/index.js';
import type { StreamKind } from './streaming.js';

let nextCallbackId = 1;

/** Iframe streaming: a hidden iframe renders the response; its script chunks call back into the page. */
export const IFRAME_STREAM: StreamKind = {
  name: 'iframe-streaming',
  route: 'iframe',
  supported: (env) => {
    return env.openIframeStream !== null;
  },
  open: (env, url, handlers) => {
    const id = String(nextCallbackId++) + String(Math.floor(Math.random() * 1e6));
    return (env.openIframeStream as NonNullable<typeof env.openIframeStream>)(url('&c=' + id), id, handlers);
  },
};

/** Server-Sent Events: the browser's EventSource (Node parses the event stream itself). */
export const EVENT_SOURCE_STREAM: StreamKind = {
  name: 'eventsource',
  route: 'eventsource',
  supported: (env) => {
    return env.openEventSource !== null;
  },
  open: (env, url, handlers) => {
    return (env.openEventSource as NonNullable<typeof env.openEventSource>)(url(''), handlers);
  },
};

/** XHR streaming: one GET read as it grows, one packet per line. */
export const XHR_STREAM: StreamKind = {
  name: 'xhr-streaming',
  route: 'xhr-stream',
  supported: (env) => {
    return env.openXhrStream !== null;
  },
  open: (env, url, handlers) => {
    return (env.openXhrStream as NonNullable<typeof env.openXhrStream>)(url(''), handlers);
  },
};

/** Every stream kind by transport name. */
export const STREAM_KINDS: { [name: string]: StreamKind | undefined } = {
  'iframe-streaming': IFRAME_STREAM,
  eventsource: EVENT_SOURCE_STREAM,
  'xhr-streaming': XHR_STREAM,
};

export function streamKind(name: TransportName): StreamKind | undefined {
  return STREAM_KINDS[name];
}
