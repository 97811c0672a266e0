// Every benchmark target: which adapter module, in which mode, and which
// family (websocket or polling) its figures are compared within.

export const TARGETS = {
  ws: { module: 'ws', family: 'websocket', label: 'raw ws' },
  'http-lp': { module: 'http-longpoll', family: 'polling', label: 'raw http long-poll' },
  'eio-ws': { module: 'engineio', mode: 'websocket', family: 'websocket', label: 'engine.io websocket' },
  'eio-poll': { module: 'engineio', mode: 'polling', family: 'polling', label: 'engine.io polling' },
  'sockjs-ws': { module: 'sockjs', mode: 'websocket', family: 'websocket', label: 'sockjs websocket' },
  'sockjs-xhr': { module: 'sockjs', mode: 'xhr-polling', family: 'polling', label: 'sockjs xhr-polling' },
  // fanout and ackrtt only (their figures are divided by sio-ws, not ws)
  'sio-ws': { module: 'socketio', mode: 'websocket', family: 'websocket', label: 'socket.io websocket' },
  'sio-poll': { module: 'socketio', mode: 'polling', family: 'polling', label: 'socket.io polling' },
  'ferry-ws': { module: 'ferry', mode: 'websocket', family: 'websocket', label: 'ferry websocket', ferry: true },
  // Long-polling sessions are spread over loopback addresses (127.0.0.1, .2,
  // ...) all served by the same server, as separate browsers would be. (Ferry's
  // Node client once capped its agent at 64 sockets per host; it no longer does.)
  'ferry-xhr': { module: 'ferry', mode: 'xhr-polling', family: 'polling', label: 'ferry xhr-polling', ferry: true, sessionsPerHost: 50 },
  'ferry-iframe': { module: 'ferry', mode: 'iframe-streaming', family: 'polling', label: 'ferry iframe-streaming', ferry: true, sessionsPerHost: 50 },
  'ferry-sse': { module: 'ferry', mode: 'eventsource', family: 'polling', label: 'ferry eventsource', ferry: true, sessionsPerHost: 50 },
  'ferry-xhrs': { module: 'ferry', mode: 'xhr-streaming', family: 'polling', label: 'ferry xhr-streaming', ferry: true, sessionsPerHost: 50 },
  // the cluster scenario only: xhr-polling through nginx to one node, or round-robin over three
  // nodes sharing a Redis (scenarios/cluster.mjs starts the nodes, Redis and nginx)
  'ferry-xhr-1node': { module: 'ferry', mode: 'xhr-polling', family: 'cluster', label: 'ferry xhr-polling, nginx, 1 node', ferry: true, nodes: 1 },
  'ferry-xhr-3nodes': { module: 'ferry', mode: 'xhr-polling', family: 'cluster', label: 'ferry xhr-polling, nginx round-robin, 3 nodes + Redis', ferry: true, nodes: 3 },
  // the clusterfanout scenario only: three nodes sharing a Redis (Ferry's `cluster` option,
  // Socket.IO's Redis adapter), every session one WebSocket straight to one of them
  'ferry-ws-3nodes': { module: 'ferry', mode: 'websocket', family: 'cluster-broadcast', label: 'ferry websocket, 3 nodes + Redis', ferry: true, nodes: 3 },
  'sio-ws-3nodes': { module: 'socketio', mode: 'websocket', family: 'cluster-broadcast', label: 'socket.io websocket, 3 nodes + Redis adapter', nodes: 3 },
  // diagnostic, in no list: one node WITH the cluster option (Redis adapter, nothing relayed)
  'ferry-xhr-1node-redis': { module: 'ferry', mode: 'xhr-polling', family: 'cluster', label: 'ferry xhr-polling, nginx, 1 node + Redis', ferry: true, nodes: 1, cluster: true },
};

/** How many loopback addresses one process needs for `sessions` sessions of `name`. */
export function hostsFor(name, sessions) {
  const perHost = TARGETS[name]?.sessionsPerHost ?? Infinity;
  return Math.max(1, Math.ceil(sessions / perHost));
}

/** The i-th loopback address (0 -> 127.0.0.1). */
export const loopbackHost = (i) => `127.0.0.${1 + i}`;

/** The baselines every figure is divided by, per family. */
export const BASELINES = { websocket: ['ws'], polling: ['http-lp', 'eio-poll'], cluster: ['ferry-xhr-1node'], 'cluster-broadcast': ['sio-ws-3nodes'] };

/** Scenarios of the application layer (broadcast, acks): their figures are divided by Socket.IO's. */
const SOCKETIO_SCENARIOS = ['fanout', 'ackrtt'];

/** The baselines `target`'s figures in `scenario` are divided by; the chart uses the first. */
export function baselinesFor(scenario, target) {
  if (scenario === 'bundle') return ['engine.io-client'];
  const family = TARGETS[target]?.family;
  if (SOCKETIO_SCENARIOS.includes(scenario)) return family === 'polling' ? ['sio-poll'] : ['sio-ws'];
  return BASELINES[family] ?? [];
}

/** Imports the adapter for target `name`; resolves { spec, adapter }. */
export async function loadTarget(name) {
  const spec = TARGETS[name];
  if (!spec) throw new Error(`unknown target '${name}'`);
  const adapter = await import(`./${spec.module}.mjs`);
  return { spec, adapter };
}
