import type net from 'node:net';
import type { AddressInfo } from 'node:net';

/** A test proxy listening on an ephemeral port on 127.0.0.1. */
export class LoopbackListener<S extends net.Server = net.Server> {
  protected readonly server: S;
  port = 0;

  constructor(server: S) {
    this.server = server;
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }
}
