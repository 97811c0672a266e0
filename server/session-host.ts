import type { AckTicker } from './ack-ticker.js';
import type { Heartbeats } from './heartbeats.js';
import type { MemoryBudget } from './memory-budget.js';
import type { ResolvedOptions } from './options.js';
import type { Session } from './session.js';
import type { Rooms } from './rooms/rooms.js';
import type { ServerMetrics } from './metrics.js';
import type { StreamCandidates } from './stream-candidates.js';

/** What sessions need from whoever keeps them (the registry): one object shared by all of them. */
export interface SessionHost {
  readonly options: ResolvedOptions;
  readonly heartbeats: Heartbeats;
  /** Flushes sessions that owe a standalone ack, at most `ackDelay` later. */
  readonly acks: AckTicker;
  /** The process-wide cap on what all sessions hold (`maxTotalBufferedBytes`). */
  readonly memory: MemoryBudget;
  /** Rooms and broadcast of the server (server/rooms/). */
  readonly rooms: Rooms;
  /** The server's counters (server/metrics.ts): a session adds to them, and holds no field for them. */
  readonly metrics: ServerMetrics;
  /** Streams probing the path for a session, not yet its transport (server/stream-candidates.ts). */
  readonly candidates: StreamCandidates;
  /** The session has ended (called once). */
  sessionEnded(session: Session): void;
  /** A sign of life from a session that has carried no message yet (server/provisional-sessions.ts). */
  sessionActive(session: Session): void;
  /** The session carried its first application message (called once). */
  sessionEstablished(session: Session): void;
  /** An application listener of the session threw (server/app-errors.ts): surfaced, never the session's end. */
  appError(error: unknown, session: Session): void;
}
