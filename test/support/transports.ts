import { TRANSPORT_NAMES, type JsonValue, type TransportName } from '../../protocol/index.js';

/** Every transport, each of which a client can be forced onto. */
export const ALL_TRANSPORTS: readonly TransportName[] = TRANSPORT_NAMES;

/**
 * The HTTP route (under `/ferry`) that carries each transport's downstream: a long-lived stream
 * reopened only when it must, or a poll answered once per batch. Sends go to `/v1/send` for every
 * HTTP transport; WebSocket makes no HTTP requests at all.
 */
export const DOWNSTREAM: Record<TransportName, { stream: string } | { poll: string } | null> = {
  websocket: null,
  eventsource: { stream: '/v1/eventsource' },
  'xhr-streaming': { stream: '/v1/xhr-stream' },
  'iframe-streaming': { stream: '/v1/iframe' },
  'xhr-polling': { poll: '/v1/poll' },
  'jsonp-polling': { poll: '/v1/jsonp' },
};

/** The streaming transports with the route of their stream. */
export const STREAMING: Array<[TransportName, string]> = ALL_TRANSPORTS.flatMap((name) => {
  const downstream = DOWNSTREAM[name];
  return downstream !== null && 'stream' in downstream ? [[name, downstream.stream] as [TransportName, string]] : [];
});

/**
 * One of every kind of message, including strings that break naive framing: line ends (SSE and
 * line-delimited streams), and script/comment closers, line separators and form metacharacters
 * (script-tag and form-encoded transports).
 */
export const EVERY_KIND: Array<JsonValue | Uint8Array> = [
  'plain text',
  '',
  'ünïcödé ✓ 𝄞',
  'line\nbreak\r\n',
  '</script><!--\u2028\u2029"\'&+%=',
  42,
  0,
  null,
  true,
  [1, [2, 3]],
  { nested: { deep: ['x'] } },
  new Uint8Array([0, 1, 2, 253, 254, 255]),
  new Uint8Array(0),
];
