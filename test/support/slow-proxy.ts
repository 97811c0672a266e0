import net from 'node:net';
import { LoopbackListener } from './loopback.js';

/** Which way a SlowProxy is slow: server to client (a slow reader), client to server (slow acks from the server's view), or both. */
export type SlowDirection = 'to-client' | 'to-server' | 'both';

/**
 * A TCP proxy on 127.0.0.1 that relays bytes in the slow direction at most `quantum` bytes per
 * `pauseMs`: after each quantum it stops reading its source for `pauseMs` (TCP backpressure does
 * the rest), like a reader on a slow link. `cutAll()` destroys every live connection, and
 * `refuse` drops new ones while set.
 */
export class SlowProxy extends LoopbackListener {
  readonly #pairs = new Set<[net.Socket, net.Socket]>();
  refuse = false;

  constructor(targetPort: number, direction: SlowDirection, quantum = 64 * 1024, pauseMs = 5) {
    super(net.createServer());
    this.server.on('connection', (client: net.Socket) => {
      if (this.refuse) {
        client.destroy();
        return;
      }
      const upstream = net.connect(targetPort, '127.0.0.1');
      const pair: [net.Socket, net.Socket] = [client, upstream];
      this.#pairs.add(pair);
      const timers = new Set<NodeJS.Timeout>();
      const relay = (from: net.Socket, to: net.Socket, slow: boolean) => {
        let sent = 0;
        from.on('data', (chunk: Buffer) => {
          to.write(chunk);
          if (!slow) return;
          sent += chunk.length;
          if (sent < quantum) return;
          sent = 0;
          from.pause();
          const timer = setTimeout(() => {
            timers.delete(timer);
            from.resume();
          }, pauseMs);
          timers.add(timer);
        });
      };
      relay(client, upstream, direction !== 'to-client');
      relay(upstream, client, direction !== 'to-server');
      const end = () => {
        for (const timer of timers) clearTimeout(timer);
        this.#pairs.delete(pair);
        client.destroy();
        upstream.destroy();
      };
      client.on('close', end);
      upstream.on('close', end);
      client.on('error', end);
      upstream.on('error', end);
    });
  }

  cutAll(): void {
    for (const [a, b] of [...this.#pairs]) {
      a.destroy();
      b.destroy();
    }
    this.#pairs.clear();
  }

  async close(): Promise<void> {
    this.cutAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
