import type { ServerResponse } from 'node:http';
import type { WebSocket } from 'ws';

/**
 * A SockJS receiving connection: what carries frames to the client for a while. An HTTP response
 * (a poll answered with one frame, or a stream ended after `responseLimit` bytes) or a WebSocket.
 */
export interface Receiver {
  /** Writes one frame (`o`, `h`, `a[…]`, `c[…]`); a poll is answered by its first and ends. */
  send(frame: string): void;
  /** Whether it still takes frames. */
  readonly open: boolean;
  /** Bytes written that the client has not taken yet. */
  readonly bufferedAmount: number;
  /** Ends it (the response, or the WebSocket with `code`). */
  end(code?: number, reason?: string): void;
  /** `fn` runs once when it ends, whichever side ended it: `aborted` when the client cut it. */
  onEnd(fn: (aborted: boolean) => void): void;
}

/** How one HTTP receiving transport writes: its prelude, how it wraps a frame, whether a poll. */
export interface HttpReceiverKind {
  readonly contentType: string;
  readonly prelude: (callback: string) => string;
  readonly wrap: (frame: string, callback: string) => string;
  /** Answered by one frame (xhr, jsonp), rather than streamed until `responseLimit`. */
  readonly polling: boolean;
}

/** An eventsource `data:` line cannot hold CR, LF or NUL: they (and `%`) are percent-escaped. */
function eventSourceData(frame: string): string {
  return frame.replace(/[%\r\n\x00]/g, (c) => '%' + ('0' + c.charCodeAt(0).toString(16).toUpperCase()).slice(-2));
}

/** The htmlfile page before its frames: at least 1 KiB, so browsers start rendering (and running) it. */
function htmlfilePrelude(callback: string): string {
  const head =
    '<!doctype html>\n<html><head>\n  <meta http-equiv="X-UA-Compatible" content="IE=edge" />\n' +
    '  <meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />\n</head><body><h2>Don\'t panic!</h2>\n' +
    '  <script>\n    document.domain = document.domain;\n    var c = parent.' + callback + ';\n    c.start();\n' +
    '    function p(d) {c.message(d);};\n    window.onload = function() {c.stop();};\n  </script>';
  return head + ' '.repeat(Math.max(0, 1024 - head.length)) + '\r\n\r\n';
}

export const HTTP_RECEIVERS = {
  xhr: { contentType: 'application/javascript; charset=UTF-8', prelude: () => '', wrap: (f: string) => f + '\n', polling: true },
  xhr_streaming: {
    contentType: 'application/javascript; charset=UTF-8',
    prelude: () => 'h'.repeat(2048) + '\n',
    wrap: (f: string) => f + '\n',
    polling: false,
  },
  eventsource: { contentType: 'text/event-stream', prelude: () => '\r\n', wrap: (f: string) => 'data: ' + eventSourceData(f) + '\r\n\r\n', polling: false },
  htmlfile: {
    contentType: 'text/html; charset=UTF-8',
    prelude: htmlfilePrelude,
    wrap: (f: string) => '<script>\np(' + JSON.stringify(f) + ');\n</script>\r\n',
    polling: false,
  },
  jsonp: {
    contentType: 'application/javascript; charset=UTF-8',
    prelude: () => '',
    // the comment keeps a callback name from being read as the start of a Flash file (Rosetta Flash)
    wrap: (f: string, cb: string) => '/**/' + cb + '(' + JSON.stringify(f) + ');\r\n',
    polling: true,
  },
} satisfies Record<string, HttpReceiverKind>;

export type HttpReceiverName = keyof typeof HTTP_RECEIVERS;

/** A receiving HTTP response: a poll (one frame) or a stream (until `limit` bytes of frames). */
export class HttpReceiver implements Receiver {
  readonly #res: ServerResponse;
  readonly #kind: HttpReceiverKind;
  readonly #callback: string;
  readonly #limit: number;
  #written = 0;
  #open = true;
  #onEnd: ((aborted: boolean) => void) | null = null;

  constructor(res: ServerResponse, kind: HttpReceiverKind, callback: string, limit: number) {
    this.#res = res;
    this.#kind = kind;
    this.#callback = callback;
    this.#limit = limit;
    const prelude = kind.prelude(callback);
    if (prelude !== '') res.write(prelude);
    // the client went away (or the response was ended here): said once
    res.once('close', () => this.#ended(true));
  }

  get open(): boolean {
    return this.#open;
  }

  get bufferedAmount(): number {
    return this.#res.writableLength;
  }

  send(frame: string): void {
    if (!this.#open) return;
    const text = this.#kind.wrap(frame, this.#callback);
    this.#written += text.length;
    this.#res.write(text);
    if (this.#kind.polling || this.#written >= this.#limit) this.end();
  }

  end(): void {
    if (!this.#open) return;
    this.#res.end();
    this.#ended(false);
  }

  onEnd(fn: (aborted: boolean) => void): void {
    this.#onEnd = fn;
  }

  #ended(aborted: boolean): void {
    if (!this.#open && this.#onEnd === null) return;
    this.#open = false;
    const fn = this.#onEnd;
    this.#onEnd = null;
    fn?.(aborted);
  }
}

/** A SockJS-framed WebSocket (`/<server>/<session>/websocket`): one frame per WebSocket message. */
export class WebSocketReceiver implements Receiver {
  readonly #ws: WebSocket;
  #onEnd: ((aborted: boolean) => void) | null = null;

  constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.once('close', () => {
      const fn = this.#onEnd;
      this.#onEnd = null;
      fn?.(true);
    });
  }

  get open(): boolean {
    return this.#ws.readyState === this.#ws.OPEN;
  }

  get bufferedAmount(): number {
    return this.#ws.bufferedAmount;
  }

  send(frame: string): void {
    if (this.open) this.#ws.send(frame);
  }

  end(code = 1000, reason = 'Normal closure'): void {
    if (this.open) this.#ws.close(code, reason);
  }

  onEnd(fn: (aborted: boolean) => void): void {
    this.#onEnd = fn;
  }
}
