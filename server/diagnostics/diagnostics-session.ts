import { CloseCode, type TransportName } from '../../protocol/index.js';
import { Session } from '../session.js';
import type { SessionHost } from '../session-host.js';
import type { HandshakeInfo } from '../socket.js';
import { DiagnosticsResponder } from './responder.js';

const NO_EVENTS = 'diagnostics: named events are not part of the diagnostics protocol';

/**
 * A diagnostics session (`diag=1`): an ordinary session on the wire (transports, heartbeats,
 * resume, limits), but its messages go to the server's DiagnosticsResponder instead of the app,
 * which never sees it (the registry keeps it apart from the app's sessions). Named events, whose
 * answers a client could make the server send without end, end it.
 */
export class DiagnosticsSession extends Session {
  constructor(id: string, token: string, transportName: TransportName, handshake: HandshakeInfo, host: SessionHost) {
    super(id, token, transportName, handshake, host);
    const responder = new DiagnosticsResponder(this, host.options.transports, Math.max(host.options.drainBelow, host.options.maxBufferedBytes / 2));
    // the responder stands where the app's listeners would: `message` in, `close` clears its timers, `drain` paces a push
    this.on('message', (data) => responder.receive(data));
    this.on('close', () => responder.stop());
    this.on('drain', () => responder.drained());
  }

  override receiveEvent(): void {
    this.end(CloseCode.PROTOCOL_ERROR, NO_EVENTS);
  }

  override receiveAnswer(): void {
    this.end(CloseCode.PROTOCOL_ERROR, NO_EVENTS);
  }
}
