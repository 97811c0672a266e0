// The bars Ferry is held to. A ratio goal compares the median of per-round
// ratios (Ferry / baseline, both measured in the same round); an absolute
// goal compares the median value itself.

export const GOALS = [
  { label: 'WebSocket echo throughput', scenario: 'echo', metric: 'rate', target: 'ferry-ws', baseline: 'ws', op: '>=', bound: 0.9 },
  { label: 'WebSocket round trip p99', scenario: 'latency', metric: 'p99', target: 'ferry-ws', baseline: 'ws', op: '<=', bound: 1.15 },
  { label: 'long-polling echo throughput', scenario: 'echo', metric: 'rate', target: 'ferry-xhr', baseline: 'eio-poll', op: '>=', bound: 1.5 },
  { label: 'long-polling round trip p50', scenario: 'latency', metric: 'p50', target: 'ferry-xhr', baseline: 'eio-poll', op: '<=', bound: 0.5 },
  { label: 'long-polling round trip p99', scenario: 'latency', metric: 'p99', target: 'ferry-xhr', baseline: 'eio-poll', op: '<=', bound: 0.5 },
  { label: 'long-polling push throughput', scenario: 'push', metric: 'rate', target: 'ferry-xhr', baseline: 'eio-poll', op: '>=', bound: 1.5 },
  { label: 'idle WebSocket session heap', scenario: 'memory', metric: 'heap', target: 'ferry-ws', baseline: 'ws', op: '<=', bound: 1.5 },
  { label: 'idle long-polling session heap', scenario: 'memory', metric: 'heap', target: 'ferry-xhr', baseline: 'eio-poll', op: '<=', bound: 0.6 },
  { label: 'WebSocket session setup rate', scenario: 'setup', metric: 'rate', target: 'ferry-ws', baseline: 'ws', op: '>=', bound: 0.9 },
  { label: 'concurrent WebSocket sessions', scenario: 'capacity', metric: 'held', target: 'ferry-ws', op: '>=', absolute: 10_000 },
  { label: 'concurrent long-polling sessions', scenario: 'capacity', metric: 'held', target: 'ferry-xhr', op: '>=', absolute: 5_000 },
  { label: 'WebSocket fan-out, 1,000 sessions', scenario: 'fanout', metric: 'ms1k', target: 'ferry-ws', baseline: 'sio-ws', op: '<', bound: 1 },
  { label: 'WebSocket fan-out, 10,000 sessions', scenario: 'fanout', metric: 'ms10k', target: 'ferry-ws', baseline: 'sio-ws', op: '<', bound: 1 },
  { label: 'acknowledged round trip p50', scenario: 'ackrtt', metric: 'p50', target: 'ferry-ws', baseline: 'sio-ws', op: '<=', bound: 1 },
  { label: 'acknowledged round trip p99', scenario: 'ackrtt', metric: 'p99', target: 'ferry-ws', baseline: 'sio-ws', op: '<=', bound: 1 },
  { label: 'cross-node echo throughput', scenario: 'cluster', metric: 'rate', target: 'ferry-xhr-3nodes', baseline: 'ferry-xhr-1node', op: '>=', bound: 0.5 },
  { label: 'cross-node round trip p99', scenario: 'cluster', metric: 'p99', target: 'ferry-xhr-3nodes', baseline: 'ferry-xhr-1node', op: '<=', bound: 3 },
  { label: 'cross-node broadcast, 10,000 sessions', scenario: 'clusterfanout', metric: 'ms10k', target: 'ferry-ws-3nodes', baseline: 'sio-ws-3nodes', op: '<', bound: 1 },
  { label: 'long-polling sessions held over 3 nodes', scenario: 'clusterheld', metric: 'held', target: 'ferry-xhr-3nodes', op: '>=', absolute: 15_000 },
  { label: 'client bundle min+gz', scenario: 'bundle', metric: 'gz', target: 'ferry', baseline: 'engine.io-client', op: '<', bound: 1 },
];

const meets = { '>=': (a, b) => a >= b, '<=': (a, b) => a <= b, '<': (a, b) => a < b };

/**
 * Judges every goal against `summary` (scenario -> metric -> target ->
 * { median, ratios }). Each result carries `ratio` (measured / bound's unit,
 * for the chart) and status PASS, MISS or n/a (not measured, or a
 * scaled-down capacity run).
 */
export function judgeGoals(summary) {
  return GOALS.map((goal) => {
    const row = summary[goal.scenario]?.[goal.metric]?.[goal.target];
    const attempted = summary[goal.scenario]?.attempted?.[goal.target]?.median;
    if (goal.absolute !== undefined && attempted < goal.absolute) {
      return { ...goal, ratio: null, status: 'n/a', note: `only ${attempted.toLocaleString('en-US')} attempted (scaled-down run)` };
    }
    const measured = goal.absolute !== undefined ? row?.median : row?.ratios?.[goal.baseline];
    if (!Number.isFinite(measured)) return { ...goal, ratio: null, status: 'n/a' };
    const bound = goal.absolute ?? goal.bound;
    const ratio = goal.absolute !== undefined ? measured / goal.absolute : measured;
    return { ...goal, measured, ratio, status: meets[goal.op](measured, bound) ? 'PASS' : 'MISS' };
  });
}

/** "≥ 0.90× ws" or "≥ 10,000" */
export function describeGoal(goal) {
  const op = { '>=': '≥', '<=': '≤', '<': '<' }[goal.op];
  if (goal.absolute !== undefined) return `${op} ${goal.absolute.toLocaleString('en-US')}`;
  return `${op} ${goal.bound.toFixed(2)}× ${goal.baseline}`;
}
