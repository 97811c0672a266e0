import type { Socket } from '../../server/index.js';
import type { RecordingClient } from './harness.js';

/**
 * Two counters flowing at once: the client sends {n} 1..count on a timer and the server does the
 * same, so messages are in flight in both directions whatever the transports are doing.
 */
export interface DuplexStreams {
  /** What the server received from the client, as numbers. */
  serverGot: number[];
  /** When (performance.now()) each of those arrived. */
  serverAt: number[];
  stop(): void;
}

/** Sends `count` each way, 5 per tick of `everyMs` (`perTick` to pace them otherwise). */
export function streamBothWays(client: RecordingClient, serverSocket: Socket, count: number, everyMs = 2, perTick = 5): DuplexStreams {
  const serverGot: number[] = [];
  const serverAt: number[] = [];
  serverSocket.on('message', (data) => {
    serverGot.push((data as { n: number }).n);
    serverAt.push(performance.now());
  });
  let c = 0;
  let s = 0;
  const timer = setInterval(() => {
    for (let k = 0; k < perTick; k++) {
      if (c < count) client.socket.send({ n: ++c });
      if (s < count) serverSocket.send({ n: ++s });
    }
    if (c >= count && s >= count) clearInterval(timer);
  }, everyMs);
  return { serverGot, serverAt, stop: () => clearInterval(timer) };
}

/** The longest time between consecutive arrivals, in ms. */
export function longestGap(times: number[]): number {
  let longest = 0;
  for (let i = 1; i < times.length; i++) longest = Math.max(longest, times[i] - times[i - 1]);
  return longest;
}
