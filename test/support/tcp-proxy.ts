import net from 'node:net';
import { LoopbackListener } from './loopback.js';

export type ProxyMode = 'forward' | 'blackhole-websocket' | 'refuse';

/**
 * A TCP proxy on 127.0.0.1 for failure tests. `forward` relays bytes; `blackhole-websocket` relays
 * until a `101 Switching Protocols` response has passed, then silently drops every byte in both
 * directions while keeping the connection open; `refuse` drops new connections at once.
 * `cutAll()` destroys every live connection, `cutOne()` one of them.
 */
export class TcpProxy extends LoopbackListener {
  readonly #pairs = new Set<[net.Socket, net.Socket]>();
  mode: ProxyMode;
  /** When set, a connection with no bytes either way for this long is cut, like a proxy's idle timeout. */
  idleTimeoutMs = 0;
  /** Connections cut by the idle timeout so far. */
  idleCuts = 0;
  /** When set, each chunk is held this long in either direction (a slow path's one-way latency), order kept. */
  delayMs = 0;

  constructor(targetPort: number, mode: ProxyMode = 'forward') {
    super(net.createServer());
    this.mode = mode;
    this.server.on('connection', (client: net.Socket) => {
      if (this.mode === 'refuse') {
        client.destroy();
        return;
      }
      const upstream = net.connect(targetPort, '127.0.0.1');
      const pair: [net.Socket, net.Socket] = [client, upstream];
      this.#pairs.add(pair);
      let upgraded = false;
      let idle: NodeJS.Timeout | null = null;
      const touch = () => {
        if (idle) clearTimeout(idle);
        if (this.idleTimeoutMs > 0) {
          idle = setTimeout(() => {
            this.idleCuts++;
            end();
          }, this.idleTimeoutMs);
        }
      };
      touch();
      // timers of the same delay fire in the order they were set: chunks keep their order
      const later = (action: () => void) => (this.delayMs > 0 ? setTimeout(action, this.delayMs) : action());
      client.on('data', (chunk) => {
        touch();
        if (!(upgraded && this.mode === 'blackhole-websocket')) later(() => upstream.write(chunk));
      });
      upstream.on('data', (chunk) => {
        touch();
        if (upgraded && this.mode === 'blackhole-websocket') return;
        if (chunk.subarray(0, 12).toString('latin1') === 'HTTP/1.1 101') upgraded = true;
        later(() => client.write(chunk));
      });
      const end = () => {
        if (idle) clearTimeout(idle);
        this.#pairs.delete(pair);
        client.destroy();
        upstream.destroy();
      };
      // a side that closes has its last chunks still on the way: the close follows them
      client.on('close', () => later(end));
      upstream.on('close', () => later(end));
      client.on('error', end);
      upstream.on('error', end);
    });
  }

  get connections(): number {
    return this.#pairs.size;
  }

  cutAll(): void {
    for (const [a, b] of [...this.#pairs]) {
      a.destroy();
      b.destroy();
    }
    this.#pairs.clear();
  }

  /** Destroys one live connection, picked with `random` (a seeded generator, so a run can be replayed); false when there is none. */
  cutOne(random: () => number): boolean {
    const pairs = [...this.#pairs];
    if (pairs.length === 0) return false;
    const pair = pairs[Math.floor(random() * pairs.length)];
    this.#pairs.delete(pair);
    pair[0].destroy();
    pair[1].destroy();
    return true;
  }

  async close(): Promise<void> {
    this.cutAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
