import { encodeMessageFrame, ProtocolError, type AppData, type Frame } from './frames.js';
import { frameText, messageItem, type AppItem } from './app-items.js';

/**
 * One outbound message as handed to a transport for writing. Built when the batch is taken, so it
 * dies young; the channel itself keeps only the message's JSON text (or bytes) until the ack.
 */
export interface OutboundEntry {
  readonly seq: number;
  /** A binary message's bytes, or null for a JSON message, event or answer. */
  readonly bytes: Uint8Array | null;
  /** The stored item of a JSON message, event or answer (app-items.ts), or null for bytes. */
  readonly item: string | null;
  /** The frame text with its seq (`["m",seq,...]`, `["b",seq,...]`), built on first use by `entryText`. */
  text: string | null;
}

export type AcceptResult = 'deliver' | 'duplicate';

/**
 * What a stored message is charged against the buffer limit and a batch's budget: about the size
 * of its frame (the JSON text or bytes, plus 16 for `["m",seq,` … `]`).
 */
/** The items of a channel holding nothing, shared (never written to) so an idle channel owns no array. */
const NO_ITEMS: ReadonlyArray<string | Uint8Array | null> = [];

function storedSize(item: string | Uint8Array): number {
  return (typeof item === 'string' ? item.length : item.byteLength) + 16;
}

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
  /**
   * Unacknowledged messages from `head` on, oldest first: a JSON message as its JSON text (so the
   * app's object can be collected young), a binary one as its bytes. The message in slot `i` has
   * seq `acked + 1 + (i - head)`; slots before `head` are released (null). No per-message object
   * is kept: a burst of pushes costs one string each. With nothing unacknowledged it is the shared
   * `NO_ITEMS`, replaced by an array of its own on the next push.
   */
  private items = NO_ITEMS as Array<string | Uint8Array | null>;
  private head = 0;
  private nextSeq = 1;
  /**
   * Highest outbound seq the peer has acknowledged: the one before the oldest unacknowledged
   * message. Derived, not stored (one field less in every session).
   */
  private get acked(): number {
    return this.nextSeq - 1 - (this.items.length - this.head);
  }

  /** Highest outbound seq handed to the current transport. */
  private written = 0;
  /**
   * Highest outbound seq ever handed to any transport (`written` goes back on `rewind`; this never
   * does). The peer cannot have received, so may not acknowledge, anything past it.
   */
  private sentUpTo = 0;
  /** Bytes held by unacknowledged messages. */
  bufferedBytes = 0;
  /** Highest inbound seq delivered in order. */
  received = 0;
  /** Highest inbound seq we have told the peer about. */
  private ackSent = 0;

  /**
   * Numbers and stores a message; the caller checks `bufferedBytes` against its limit. Throws a
   * TypeError (storing nothing) if the value is not JSON-serialisable.
   */
  push(data: AppData): number {
    return this.pushItem(messageItem(data));
  }

  /**
   * Numbers and stores an item already encoded (see app-items.ts: a message's JSON text or bytes,
   * an event, an answer); the same item may go into many channels. Same accounting as `push`.
   */
  pushItem(item: AppItem): number {
    if (this.items === NO_ITEMS) this.items = [item];
    else this.items.push(item);
    this.bufferedBytes += storedSize(item);
    return this.nextSeq++;
  }

  /** The JSON text of the message just pushed, or null if it was bytes. */
  lastJson(): string | null {
    const last = this.items[this.items.length - 1];
    return typeof last === 'string' ? last : null;
  }

  /** Takes back the message just pushed, before any transport has seen it (it was refused). */
  dropLast(): void {
    const last = this.items[this.items.length - 1];
    if (last === undefined || last === null || this.written >= this.nextSeq - 1) throw new Error('dropLast: nothing droppable');
    this.items.pop();
    this.nextSeq--;
    this.bufferedBytes -= storedSize(last);
  }

  /**
   * Takes out, and returns in order, the messages `refuse` picks among those no transport has
   * ever been given. Sequence numbers are not stored but follow from position, so the later
   * messages move up and the peer sees no gap: a refused message takes no sequence number.
   */
  refuseUnsent(refuse: (item: string | Uint8Array) => boolean): Array<string | Uint8Array> {
    const refused: Array<string | Uint8Array> = [];
    const items = this.items;
    let kept = this.head + (Math.max(this.written, this.sentUpTo) - this.acked);
    for (let i = kept; i < items.length; i++) {
      const item = items[i] as string | Uint8Array; // after head: never released
      if (refuse(item)) {
        refused.push(item);
        this.bufferedBytes -= storedSize(item);
      } else items[kept++] = item;
    }
    if (refused.length === 0) return refused;
    items.length = kept;
    this.nextSeq -= refused.length;
    if (this.head === items.length) {
      this.items = NO_ITEMS as Array<string | Uint8Array | null>;
      this.head = 0;
    }
    return refused;
  }

  /**
   * The peer has everything up to `seq`. Throws if it claims more than was ever handed to a
   * transport: a peer that acknowledges what it cannot have read (to make the sender drop messages
   * still queued, or sitting unsent in a socket buffer) breaks the protocol.
   */
  acknowledge(seq: number): void {
    if (seq > this.sentUpTo) throw new ProtocolError('ack ' + seq + ' is ahead of the last message sent');
    const acked = this.acked;
    if (seq <= acked) return;
    const items = this.items;
    // release each acknowledged message at once: an idle session must not keep its last messages
    for (let n = seq - acked; n > 0; n--) {
      this.bufferedBytes -= storedSize(items[this.head] as string | Uint8Array);
      items[this.head++] = null;
    }
    if (this.written < seq) this.written = seq;
    if (this.head === items.length) {
      this.items = NO_ITEMS as Array<string | Uint8Array | null>;
      this.head = 0;
    } else if (this.head > 256 && this.head * 2 > items.length) {
      this.items = items.slice(this.head);
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

  /** Hands out unwritten messages in order, at most `maxBytes` worth (always at least one). */
  takeUnwritten(maxBytes: number): OutboundEntry[] {
    const out: OutboundEntry[] = [];
    let bytes = 0;
    const items = this.items;
    let seq = this.written;
    for (let i = this.head + (this.written - this.acked); i < items.length; i++) {
      const item = items[i] as string | Uint8Array; // at or after head: never released
      const size = storedSize(item);
      if (out.length > 0 && bytes + size > maxBytes) break;
      seq++;
      out.push(typeof item === 'string' ? { seq, bytes: null, item, text: null } : { seq, bytes: item, item: null, text: null });
      bytes += size;
    }
    this.written = seq;
    if (seq > this.sentUpTo) this.sentUpTo = seq;
    return out;
  }

  /** Forgets every stored message (the session has ended): their memory is released at once. */
  clear(): void {
    this.items = NO_ITEMS as Array<string | Uint8Array | null>;
    this.head = 0;
    this.bufferedBytes = 0;
  }

  unackedCount(): number {
    return this.items.length - this.head;
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
      if ((frame.type === 'message' || frame.type === 'event' || frame.type === 'answer') && frame.seq === received + 1) received = frame.seq;
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
  if (entry.text === null) entry.text = entry.item !== null ? frameText(entry.seq, entry.item) : encodeMessageFrame(entry.seq, entry.bytes as Uint8Array);
  return entry.text;
}

/**
 * The wire text of an entry on a WebSocket whose last message written is `sentSeq` (0: none yet;
 * -1: the peer takes no implicit seqs): seq 0 when the entry is the next one (PROTOCOL.md section 6).
 */
export function socketEntryText(entry: OutboundEntry, sentSeq: number): string {
  return entry.item !== null && sentSeq > 0 && entry.seq === sentSeq + 1 ? frameText(0, entry.item) : entryText(entry);
}
