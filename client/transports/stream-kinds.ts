import type { TransportName } from '../../protocol/index.js';
import type { StreamKind } from './streaming.js';

let nextCallbackId = 1;

/** Iframe streaming: a hidden iframe renders the response; its script chunks call back into the page. */
export const IFRAME_STREAM: StreamKind = {
  name: 'iframe-streaming',
  route: 'iframe',
  supported: function (env) {
    return env.openIframeStream !== null;
  },
  open: function (env, url, handlers) {
    const id = String(nextCallbackId++) + String(Math.floor(Math.random() * 1e6));
    return (env.openIframeStream as NonNullable<typeof env.openIframeStream>)(url('&c=' + id), id, handlers);
  },
};

/** Every stream kind by transport name. */
export const STREAM_KINDS: { [name: string]: StreamKind | undefined } = {
  'iframe-streaming': IFRAME_STREAM,
};

export function streamKind(name: TransportName): StreamKind | undefined {
  return STREAM_KINDS[name];
}
