import type { Socket } from '../../server/index.js';
import type { RecordingClient } from './harness.js';

/**
 * Two counters flowing at once: the client sends {n} 1..count on a timer and the server does the
 * same, so messages are in flight in both directions whatever the transports are doing.
 */
export interface DuplexStreams {
  /** What the server received from the client, as numbers. */
  serverGot: number[];
  stop(): void;
}

export function streamBothWays(client: RecordingClient, serverSocket: Socket, count: number, everyMs = 2): DuplexStreams {
  const serverGot: number[] = [];
  serverSocket.on('message', (data) => serverGot.push((data as { n: number }).n));
  let c = 0;
  let s = 0;
  const timer = setInterval(() => {
    for (let k = 0; k < 5; k++) {
      if (c < count) client.socket.send({ n: ++c });
      if (s < count) serverSocket.send({ n: ++s });
    }
    if (c >= count && s >= count) clearInterval(timer);
  }, everyMs);
  return { serverGot, stop: () => clearInterval(timer) };
}
