import type { TransportName } from '../../protocol/index.js';
import type { ConnectOptions } from '../options.js';
import type { ClientSocket } from '../public-socket.js';
import type { TransportAttempt } from '../transport-plan.js';

/** `window.Ferry`, from whichever bundle the page loaded. */
export interface FerryGlobal {
  connect(url: string, options?: ConnectOptions): ClientSocket;
}

/**
 * How one forced transport did: `ok`; `no-data` (the session was made but nothing came back:
 * a proxy holds the responses); `failed`; `unavailable` (this browser or the server lacks it).
 */
export type TransportOutcome = 'ok' | 'no-data' | 'failed' | 'unavailable';

export interface TransportResult {
  transport: TransportName;
  outcome: TransportOutcome;
  /** Why it failed or was not run ('' when ok). */
  reason: string;
  /** ms from `connect()` to `open` (the handshake). */
  connectMs: number | null;
  /** ms from `connect()` to the first answer from the server over this transport. */
  firstMessageMs: number | null;
  /** Round trips of 20 pings, ms. */
  rttP50: number | null;
  rttP95: number | null;
  /** Throughput of a 256 KiB push from the server, KiB/s. */
  pushKiBps: number | null;
  /**
   * Streams: whether four messages sent 150 ms apart arrived apart (`streamed`) or together
   * (`buffered`, a proxy held the response); null where it says nothing (WebSocket, polling).
   */
  delivery: 'streamed' | 'buffered' | null;
}

/** What a default `connect()` ended up using, and why. */
export interface DefaultChoice {
  transport: TransportName | null;
  attempts: TransportAttempt[];
  rttP50: number | null;
  /** Why it could not connect ('' when it did). */
  reason: string;
}

/** What the server saw of the page's requests (the responder's `info`). */
export interface ServerView {
  address: string | null;
  via: string | null;
  forwarded: string | null;
  xForwardedFor: string | null;
  userAgent: string | null;
  transports: TransportName[];
}

/** The opt-in idle test: whether a connection left idle (but for Ferry's heartbeats) was cut, and when. */
export interface IdleResult {
  transport: TransportName;
  /** How long it was to stay idle, ms. */
  idleMs: number;
  /** When it was cut, ms into the idle time; null when it was not. */
  cutAfterMs: number | null;
  /** What the client said when it was cut, or why the test could not run ('' when it stayed open). */
  reason: string;
}

export interface DiagnosticsReport {
  ferryDiagnostics: 1;
  date: string;
  page: string;
  userAgent: string;
  bundle: 'modern' | 'legacy';
  features: { webSocket: boolean; eventSource: boolean; xhrProgress: boolean; postMessage: boolean };
  server: ServerView | null;
  transports: TransportResult[];
  choice: DefaultChoice | null;
  /** Only when asked for (`?idle=1`): it takes 35 s. */
  idle: IdleResult | null;
  verdict: string[];
}
