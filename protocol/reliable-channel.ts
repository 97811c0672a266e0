import { encodeMessageFrame, isBytes, ProtocolError, type AppData, type Frame } from './frames.js';

/** One outbound application message, kept until the peer acknowledges it. */
export interface OutboundEntry {
  readonly seq: number;
  /**
   * A binary message's bytes, or null for a JSON message: only its encoded text is kept, so the
   * app's object can be collected young instead of living until the ack.
   */
  readonly bytes: Uint8Array | null;
  /** The JSON frame text (`["m",...]`, or `["b",...]` built on first use for bytes). */
  text: string | null;
  /** Bytes charged against the buffer limit. */
  readonly size: number;
}

export type AcceptResult = 'deliver' | 'duplicate';

/**
 * The sequencing half of a session, shared by client and server: numbers outbound messages, keeps
 * them until acknowledged, tracks what the current transport has been given, and drops duplicates
 * inbound. Pure state: no timers, no I/O.
 *
 * Invariant that makes delivery exactly-once and in order: every transport stream starts at the
 * peer's acknowledged position (so at or before what the receiver expects) and is contiguous; the
 * receiver accepts only the next sequence number and drops anything older.
 */
export class ReliableChannel {
  /** Unacknowledged entries from `head` on; slots before `head` are released (null). */
  private entries: Array<OutboundEntry | null> = [];
  private head = 0;
  private nextSeq = 1;
  /** Highest outbound seq the peer has acknowledged. */
  private acked = 0;
  /** Highest outbound seq handed to the current transport. */
  private written = 0;
  /** Bytes held by unacknowledged messages. */
  bufferedBytes = 0;
  /** Highest inbound seq delivered in order. */
  received = 0;
  /** Highest inbound seq we have told the peer about. */
  private ackSent = 0;

  /** Numbers and stores a message; the caller checks `bufferedBytes` against its limit. */
  push(data: AppData): OutboundEntry {
    const bytes = isBytes(data) ? data : null;
    const text = bytes === null ? encodeMessageFrame(this.nextSeq, data) : null;
    const size = bytes === null ? (text as string).length : bytes.byteLength + 16;
    const entry: OutboundEntry = { seq: this.nextSeq++, bytes, text, size };
    this.entries.push(entry);
    this.bufferedBytes += size;
    return entry;
  }

  /** Takes back the message just pushed, before any transport has seen it (it was refused). */
  dropLast(): void {
    const last = this.entries[this.entries.length - 1];
    if (!last || last.seq !== this.nextSeq - 1 || this.written >= last.seq) throw new Error('dropLast: nothing droppable');
    this.entries.pop();
    this.nextSeq--;
    this.bufferedBytes -= last.size;
  }

  /** The peer has everything up to `seq`. Throws if it claims more than was ever sent. */
  acknowledge(seq: number): void {
    if (seq >= this.nextSeq) throw new ProtocolError('ack ' + seq + ' is ahead of the last message sent');
    if (seq <= this.acked) return;
    this.acked = seq;
    if (this.written < seq) this.written = seq;
    const entries = this.entries;
    // release each acknowledged entry at once: an idle session must not keep its last messages
    while (this.head < entries.length && (entries[this.head] as OutboundEntry).seq <= seq) {
      this.bufferedBytes -= (entries[this.head] as OutboundEntry).size;
      entries[this.head++] = null;
    }
    if (this.head === entries.length) {
      this.entries = [];
      this.head = 0;
    } else if (this.head > 256 && this.head * 2 > entries.length) {
      this.entries = entries.slice(this.head);
      this.head = 0;
    }
  }

  /** A new transport starts from what the peer acknowledged: everything unacked is sent again. */
  rewind(): void {
    this.written = this.acked;
  }

  hasUnwritten(): boolean {
    return this.written < this.nextSeq - 1;
  }

  /** Hands out unwritten entries in order, at most `maxBytes` worth (always at least one). */
  takeUnwritten(maxBytes: number): OutboundEntry[] {
    const out: OutboundEntry[] = [];
    let bytes = 0;
    const entries = this.entries;
    for (let i = this.head + (this.written - this.acked); i < entries.length; i++) {
      const entry = entries[i] as OutboundEntry; // at or after head: never released
      if (out.length > 0 && bytes + entry.size > maxBytes) break;
      out.push(entry);
      bytes += entry.size;
    }
    if (out.length > 0) this.written = out[out.length - 1].seq;
    return out;
  }

  unackedCount(): number {
    return this.entries.length - this.head;
  }

  /** Classifies an inbound message; a gap means the peer broke the protocol. */
  accept(seq: number): AcceptResult {
    if (seq <= this.received) return 'duplicate';
    if (seq !== this.received + 1) {
      throw new ProtocolError('message ' + seq + ' arrived but ' + (this.received + 1) + ' was expected');
    }
    this.received = seq;
    return 'deliver';
  }

  /** Inbound messages not yet acknowledged to the peer. */
  unackedInbound(): number {
    return this.received - this.ackSent;
  }

  /** Returns the ack to send and records it as sent. */
  takeAck(): number {
    this.ackSent = this.received;
    return this.received;
  }

  /**
   * The ack that will hold once `frames` (a packet just decoded) are delivered, recorded as sent:
   * a poller asks for the next packet with it before delivering this one, so the sender prepares
   * the next batch while this one is handed to the app.
   */
  takeAckAfter(frames: Frame[]): number {
    let received = this.received;
    for (let i = 0; i < frames.length; i++) {
      const frame = frames[i];
      if (frame.type === 'message' && frame.seq === received + 1) received = frame.seq;
    }
    this.ackSent = received;
    return received;
  }

  /** Called when a new transport starts: the peer may not have seen our last ack. */
  forgetAckSent(): void {
    this.ackSent = 0;
  }
}

/** The wire text of an entry, built once. */
export function entryText(entry: OutboundEntry): string {
  if (entry.text === null) entry.text = encodeMessageFrame(entry.seq, entry.bytes as Uint8Array);
  return entry.text;
}
