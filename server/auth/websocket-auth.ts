import { CloseCode, type Frame, type HttpErrorCode, type JsonValue } from '../../protocol/index.js';
import { closeReason } from '../transports/close-reason.js';
import type { HandshakeInfo } from '../socket.js';
import type { CloseInfo, ServerTransport, TransportListener } from '../transports/transport.js';
import { AuthRefusedError, ShuttingDown, type HandshakeAuth } from './handshake-auth.js';

/** WebSocket close 1011: the server failed (the app's middleware threw). Its text is never sent. */
const INTERNAL_ERROR = 1011;
/** A WebSocket close reason's limit in bytes (RFC 6455 section 5.5: 125 less the code). */

/**
 * A direct WebSocket to a server with handshake middleware: its first frame must be
 * `["auth", payload]` (alone in its packet, at most `maxHandshakeBytes`), within `authTimeout`;
 * then the middleware run, and `open` makes the session. Anything else before `open` closes the
 * WebSocket with 4004; a refusal closes it with 4401 and the app's message; the app's bug with
 * 1011. Until then no session exists. `refused` is told the code of a refusal (for the metrics).
 */
export function authenticateWebSocket(
  transport: ServerTransport,
  auth: HandshakeAuth,
  info: HandshakeInfo,
  maxHandshakeBytes: number,
  open: (data: Record<string, unknown>) => void,
  refused?: (reason: HttpErrorCode) => void,
): void {
  let waiting = true;
  let ended = false;
  const end = (code: number, reason: string): void => {
    if (ended) return;
    ended = true;
    clearTimeout(deadline);
    untrack();
    transport.drop(code, closeReason(reason));
  };
  const deadline = setTimeout(() => end(CloseCode.PROTOCOL_ERROR, 'protocol error: no auth frame within authTimeout'), auth.timeout);
  const untrack = auth.track(() => end(CloseCode.SERVER_SHUTDOWN, 'server shutting down'));
  const listener: TransportListener = {
    onFrames(frames: Frame[]) {
      if (ended) return;
      if (!waiting) return end(CloseCode.PROTOCOL_ERROR, 'protocol error: a frame before open');
      waiting = false;
      clearTimeout(deadline);
      const first = frames[0];
      if (first === undefined || first.type !== 'auth') return end(CloseCode.PROTOCOL_ERROR, 'protocol error: the first frame must be auth');
      if (frames.length > 1) return end(CloseCode.PROTOCOL_ERROR, 'protocol error: a frame before open');
      if (jsonBytes(first.auth) > maxHandshakeBytes) return end(CloseCode.MESSAGE_TOO_LARGE, 'auth frame exceeds maxHandshakeBytes');
      auth.run(info, 'websocket', first.auth).then(
        (data) => {
          if (ended) return;
          ended = true;
          untrack();
          open(data);
        },
        (e: unknown) => {
          if (e instanceof AuthRefusedError) {
            refused?.(e.code);
            end(CloseCode.UNAUTHORIZED, e.message);
          }
          else if (e instanceof ShuttingDown) end(CloseCode.SERVER_SHUTDOWN, 'server shutting down');
          else end(INTERNAL_ERROR, 'server error');
        },
      );
    },
    onWritable() {},
    onClosed(_reason: string, _fatal?: CloseInfo) {
      // the client left (or broke the protocol) before its session existed: nothing to end but this
      ended = true;
      clearTimeout(deadline);
      untrack();
    },
  };
  transport.bind(listener);
}

/**
 * A direct WebSocket to a server without middleware: the session has it from the start, and a
 * first `auth` frame (which clients always send) is dropped unread. Only the first packet is looked at.
 */
export function dropFirstAuthFrame(transport: ServerTransport, session: TransportListener): void {
  transport.bind({
    onFrames(frames: Frame[], bytes?: number) {
      transport.bind(session);
      session.onFrames(frames.length > 0 && frames[0].type === 'auth' ? frames.slice(1) : frames, bytes);
    },
    onWritable() {
      session.onWritable();
    },
    onClosed(reason: string, fatal?: CloseInfo) {
      session.onClosed(reason, fatal);
    },
  });
}

function jsonBytes(value: JsonValue): number {
  return Buffer.byteLength(JSON.stringify(value));
}

