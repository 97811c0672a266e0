import { isBytes, MAX_ANSWER_REASON_LENGTH, type AppData, type JsonValue } from './frames.js';
import { eventNameProblem } from './event-maps.js';
import { assertNoNestedBinary } from './nested-binary.js';

/**
 * What a ReliableChannel stores for each outbound application item, encoded once when it is sent
 * (a broadcast pushes the same item into every recipient's channel):
 *
 * - a message: its JSON text (never starts with `e` or `r`), or its bytes;
 * - an event: `e` then the frame's elements after seq, `e"chat",["hi"]` or `e"chat",["hi"],7`;
 * - an answer: `r` then the elements after seq, `r7,{"ok":true}` or `r7,null,"reason"`.
 *
 * `frameText` turns an item into its frame once its seq is known.
 */
export type AppItem = string | Uint8Array;

/** Largest acknowledgement id (Number.MAX_SAFE_INTEGER): ids are integers 1 … 2^53 − 1. */
export const MAX_ACK_ID = 9007199254740991;

/** Whether `value` may be an acknowledgement id. */
export function isAckId(value: unknown): value is number {
  return typeof value === 'number' && value % 1 === 0 && value >= 1 && value <= MAX_ACK_ID;
}

/** The stored item of a message: its JSON text, or its bytes. Throws a TypeError for a value JSON cannot carry. */
export function messageItem(data: AppData): AppItem {
  if (isBytes(data)) return data;
  const json = JSON.stringify(data);
  if (json === undefined) throw new TypeError('message is not JSON-serialisable');
  assertNoNestedBinary(data, json);
  return json;
}

/**
 * The stored item of an event. Throws a TypeError for a reserved or invalid name, arguments JSON
 * cannot carry as they are (bytes inside, undefined, functions), or a bad ack id.
 */
export function eventItem(name: string, args: JsonValue[], ackId?: number): string {
  const problem = eventNameProblem(name);
  if (problem !== null) throw new TypeError(problem);
  if (ackId !== undefined && !isAckId(ackId)) throw new TypeError('an ack id is an integer from 1 to 2^53 - 1');
  const json = JSON.stringify(args);
  if (json === undefined || json.charAt(0) !== '[') throw new TypeError('event arguments are not JSON-serialisable');
  assertNoNestedBinary(args, json);
  assertNoUndefinedArgs(args);
  return 'e' + JSON.stringify(name) + ',' + json + (ackId === undefined ? '' : ',' + ackId);
}

/** The stored item of an answer to event `ackId`: its value (undefined answers null). */
export function answerItem(ackId: number, value: JsonValue | undefined): string {
  if (!isAckId(ackId)) throw new TypeError('an ack id is an integer from 1 to 2^53 - 1');
  const json = value === undefined ? 'null' : JSON.stringify(value);
  if (json === undefined) throw new TypeError('answer is not JSON-serialisable');
  if (value !== undefined) assertNoNestedBinary(value, json);
  return 'r' + ackId + ',' + json;
}

/** The stored item of a failed answer: the handler failed or there was none; `reason` is cut to its limit. */
export function failedAnswerItem(ackId: number, reason: string): string {
  if (!isAckId(ackId)) throw new TypeError('an ack id is an integer from 1 to 2^53 - 1');
  return 'r' + ackId + ',null,' + JSON.stringify(String(reason).slice(0, MAX_ANSWER_REASON_LENGTH));
}

/** Whether a stored item is an event or an answer (not a message). */
export function isEventOrAnswerItem(item: AppItem): boolean {
  if (typeof item !== 'string') return false;
  const c = item.charAt(0);
  return c === 'e' || c === 'r';
}

/** The ack id of a stored event item that asks for an answer (`e"name",[…],7`), else null. */
export function askedAckId(item: AppItem | null): number | null {
  // the arguments' JSON ends with `]`: an item that does not ends with its ack id
  if (typeof item !== 'string' || item.charAt(0) !== 'e' || item.charAt(item.length - 1) === ']') return null;
  const id = Number(item.slice(item.lastIndexOf(',') + 1));
  return isAckId(id) ? id : null;
}

/** The frame of a stored string item (a JSON message, an event, an answer) at `seq`. */
export function frameText(seq: number, item: string): string {
  const c = item.charAt(0);
  if (c === 'e' || c === 'r') return '["' + c + '",' + seq + ',' + item.slice(1) + ']';
  return '["m",' + seq + ',' + item + ']';
}

/**
 * The packet of one string item at the next seq of a WebSocket connection (`[["m",0,…]]`): the
 * same text for every recipient (the server encodes a broadcast's once, server/transports/websocket.ts).
 */
export function implicitPacket(item: string): string {
  return '[' + frameText(0, item) + ']';
}

/**
 * An argument that is `undefined` (or a function) becomes `null` inside an array, silently: the
 * receiver would see a different call than was made. Only the top level needs a look (nested
 * undefined object fields are dropped by JSON as for messages).
 */
function assertNoUndefinedArgs(args: JsonValue[]): void {
  for (let i = 0; i < args.length; i++) {
    const t = typeof args[i];
    if (t === 'undefined' || t === 'function' || t === 'symbol') throw new TypeError('event argument ' + i + ' is not JSON-serialisable');
  }
}
