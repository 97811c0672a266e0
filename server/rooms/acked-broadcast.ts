import type { AckTable } from '../../protocol/event-dispatch.js';
import type { JsonValue } from '../../protocol/index.js';
import type { RoomMember } from './adapter.js';

/** What an acknowledged broadcast resolves with. */
export interface BroadcastAnswers<Answer = JsonValue> {
  /** The answers that arrived in time, in the order they arrived, with the id of the socket that gave each. */
  answers: Array<{ id: string; value: Answer }>;
  /**
   * Ids of the sockets that gave no answer: none in time, their handler failed or there was none,
   * or their session ended first.
   */
  missing: string[];
  /**
   * With a cluster adapter: ids of the nodes that did not reply in time. Their sockets got the
   * event or not, but who they are is not known here, so they are in neither list: a non-empty
   * `missingNodes` means the answers are incomplete. Absent on one process.
   */
  missingNodes?: string[];
}

/** A session of this node as an acknowledged broadcast needs it (the server's Session is one). */
interface AskableMember extends RoomMember {
  /** The session's table of awaited answers (server/app-events.ts), created on first use. */
  ackTable(): AckTable;
}

interface Waiting {
  readonly table: AckTable;
  readonly ackId: number;
}

/**
 * Asks each of `members` (sessions of this node) for an answer to one event, encoded once as
 * `item` (`eventItem(name, args)`, no ack id): each gets the item with an ack id of its own
 * session appended (the same text `eventItem(name, args, id)` makes), so the arguments are
 * serialized once for everyone. Resolves when every member has answered or failed, or when
 * `timeoutMs` (> 0) runs out: the ack ids still awaited are withdrawn then (a late answer is
 * dropped as for `socket.timeout(ms)`), and their sockets are `missing`.
 */
export function askMembers(members: readonly RoomMember[], item: string, timeoutMs: number): Promise<BroadcastAnswers> {
  return new Promise((resolve) => {
    const result: BroadcastAnswers = { answers: [], missing: [] };
    const waiting = new Map<AskableMember, Waiting>();
    let asking = true;
    let timer: NodeJS.Timeout | null = null;
    const finish = (): void => {
      if (asking || waiting.size > 0) return;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      resolve(result);
    };
    for (const one of members) {
      const member = one as AskableMember;
      const table = member.ackTable();
      const ackId = table.add((error, answer) => {
        if (!waiting.delete(member)) return;
        if (error === null) result.answers.push({ id: member.id, value: answer === undefined ? null : answer });
        else result.missing.push(member.id);
        finish();
      });
      if (ackId === 0) {
        // it awaits maxPendingAcks answers already: not asked
        result.missing.push(member.id);
        continue;
      }
      waiting.set(member, { table, ackId });
      if (!member.queueItem(item + ',' + ackId)) {
        // ended (or just shed, which has failed its acks already): no answer will come
        const left = table.take(ackId);
        if (left !== null) left(new Error('the session has ended'));
      }
    }
    asking = false;
    if (waiting.size > 0 && timeoutMs > 0) {
      timer = setTimeout(() => {
        timer = null;
        for (const [member, { table, ackId }] of waiting) {
          table.take(ackId);
          result.missing.push(member.id);
        }
        waiting.clear();
        finish();
      }, timeoutMs);
      timer.unref();
    }
    finish();
  });
}
