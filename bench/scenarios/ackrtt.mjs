// (9) Acknowledged round trip: one client per target emits an event and waits for the server's
// answer, one at a time (Ferry `await socket.emitWithAck('echo', text)`, answered by the server
// handler returning its argument; Socket.IO the same through socket.io-client's `emitWithAck` and
// the server's ack callback). Measured like `latency`: every target's server and client run at
// once and take turns in `sliceMs` slices over the same `measureMs`, after a warm-up alone; p50
// and p99 over every round trip of the window, `wake` and `p99cold` as there.
import { PAYLOAD } from '../targets/replies.mjs';
import { runSlices } from './latency.mjs';

export const metrics = [
  { key: 'p50', label: 'acknowledged round trip p50', unit: 'ms', better: 'lower' },
  { key: 'p99', label: 'acknowledged round trip p99', unit: 'ms', better: 'lower' },
  { key: 'p99cold', label: 'acknowledged round trip p99, first round trips', unit: 'ms', better: 'lower', chart: false },
  { key: 'wake', label: 'acknowledged round trip after a pause, p50', unit: 'ms', better: 'lower', chart: false },
];

/** The event the servers answer (they register it only when the scenario asks: `ackEvent`). */
const EVENT = 'echo';

export function loadHandlers(open) {
  let session = null;
  return {
    async open() {
      session = await open();
      return true;
    },
    /** Acknowledged round trips until `count` are done or `maxMs` has passed (at least one); their durations. */
    async run({ count, maxMs }) {
      const started = performance.now();
      const samples = [];
      while (samples.length < count && (samples.length === 0 || performance.now() - started < maxMs)) {
        const t0 = performance.now();
        const answer = await session.emitWithAck(EVENT, PAYLOAD);
        samples.push(performance.now() - t0);
        if (answer !== PAYLOAD) throw new Error(`unexpected answer: ${JSON.stringify(answer)?.slice(0, 80)}`);
      }
      return samples;
    },
    close() {
      session?.close();
      return true;
    },
  };
}

/** One round for all `targets` together; resolves { [target]: result }. */
export function runGroup(targets, settings) {
  return runSlices('ackrtt', { ackEvent: EVENT }, targets, settings);
}
