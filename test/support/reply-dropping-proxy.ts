// A TCP proxy in front of Redis that can swallow the replies: commands still reach Redis (and are
// run there), their answers never come back. For "the write happened, its acknowledgement was lost".
import net from 'node:net';

export class ReplyDroppingProxy {
  readonly #server = net.createServer();
  readonly #sockets = new Set<net.Socket>();
  /** While true, bytes from Redis to the client are dropped (the connections stay open). */
  dropReplies = false;

  private constructor(targetPort: number) {
    this.#server.on('connection', (client) => {
      const upstream = net.connect(targetPort, '127.0.0.1');
      this.#sockets.add(client).add(upstream);
      client.on('data', (chunk) => upstream.write(chunk));
      upstream.on('data', (chunk) => {
        if (!this.dropReplies) client.write(chunk);
      });
      const end = (): void => {
        client.destroy();
        upstream.destroy();
        this.#sockets.delete(client);
        this.#sockets.delete(upstream);
      };
      for (const socket of [client, upstream]) socket.on('close', end).on('error', end);
    });
  }

  static async start(targetPort: number): Promise<ReplyDroppingProxy> {
    const proxy = new ReplyDroppingProxy(targetPort);
    await new Promise<void>((resolve) => proxy.#server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get url(): string {
    return `redis://127.0.0.1:${(this.#server.address() as net.AddressInfo).port}`;
  }

  /** Destroys every connection through the proxy. */
  cutAll(): void {
    for (const socket of [...this.#sockets]) socket.destroy();
    this.#sockets.clear();
  }

  async close(): Promise<void> {
    this.cutAll();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
