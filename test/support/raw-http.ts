import net from 'node:net';

/** An HTTP response as read from a raw socket, and whether the server then closed the connection. */
export interface RawResponse {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: string;
  /** The server closed the connection (end or reset) within the wait. */
  closed: boolean;
}

/** A raw TCP connection to 127.0.0.1:`port`, with everything it receives collected. */
export class RawConnection {
  readonly socket: net.Socket;
  #received = Buffer.alloc(0);
  #closed = false;
  readonly #ready: Promise<void>;
  readonly #waiters = new Set<() => void>();

  constructor(port: number) {
    this.socket = net.connect(port, '127.0.0.1');
    this.#ready = new Promise((resolve) => this.socket.once('connect', () => resolve()));
    this.socket.on('data', (chunk: Buffer) => {
      this.#received = Buffer.concat([this.#received, chunk]);
      this.#wake();
    });
    // a reset after the answer arrived is still a closed connection
    this.socket.on('error', () => {});
    this.socket.on('close', () => {
      this.#closed = true;
      this.#wake();
    });
  }

  get received(): Buffer {
    return this.#received;
  }

  get closed(): boolean {
    return this.#closed;
  }

  async write(data: string | Buffer): Promise<void> {
    await this.#ready;
    if (!this.socket.destroyed) this.socket.write(data);
  }

  /** Waits until `condition` holds or `timeoutMs` passes; returns whether it held. */
  async until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        const waiters = this.#waiters;
        function done(): void {
          clearTimeout(timer);
          waiters.delete(done);
          resolve();
        }
        waiters.add(done);
      });
    }
    return true;
  }

  /** The first complete response received (by Content-Length), or null. */
  response(): RawResponse | null {
    const text = this.#received.toString('latin1');
    const end = text.indexOf('\r\n\r\n');
    if (end === -1) return null;
    const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const length = Number(headers['content-length'] ?? 0);
    const body = this.#received.subarray(Buffer.byteLength(text.slice(0, end + 4), 'latin1'));
    if (body.length < length) return null;
    return { status: Number(statusLine.split(' ')[1]), headers, body: body.subarray(0, length).toString('utf8'), closed: this.#closed };
  }

  /** Waits for the first response and then for the connection to close (at most `closeWithinMs`). */
  async responseThenClose(closeWithinMs = 2000): Promise<RawResponse> {
    if (!(await this.until(() => this.response() !== null || this.#closed, 5000))) throw new Error('no response');
    await this.until(() => this.#closed, closeWithinMs);
    const res = this.response();
    if (res === null) throw new Error('the connection closed before a complete response: ' + this.#received.toString('latin1'));
    return { ...res, closed: this.#closed };
  }

  destroy(): void {
    this.socket.destroy();
  }

  #wake(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}
