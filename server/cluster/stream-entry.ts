import { eventNameProblem, type AppItem } from '../../protocol/index.js';
import { MAX_ROOM_NAME_LENGTH, type BroadcastTarget } from '../rooms/adapter.js';

/**
 * One broadcast in the stream `{prefix}:broadcast`, as fields of a Redis stream entry (pure: no
 * I/O). Every field is text:
 *
 * - `node`: the publishing node's id;
 * - `run`: a random id of that node's adapter (a node restarted with the same id is a new run);
 * - `seq`: the run's publish counter, 1, 2, 3 … (a resent entry repeats its number: readers drop
 *   an entry whose `seq` is not above the highest they have seen from its `run`);
 * - `target`: the BroadcastTarget as JSON (`{"rooms":[…],"except":[…],"volatile":false}`);
 * - `text`: the item (a message's JSON text, or an event `e"name",[args]`), or else
 * - `base64`: a binary message's bytes in base64.
 */
export interface StreamEntry {
  readonly node: string;
  readonly run: string;
  readonly seq: number;
  readonly target: BroadcastTarget;
  readonly item: AppItem;
}

/** The XADD field/value list of an entry. */
export function entryFields(entry: StreamEntry): string[] {
  const item = entry.item;
  const data = typeof item === 'string' ? ['text', item] : ['base64', Buffer.from(item.buffer, item.byteOffset, item.byteLength).toString('base64')];
  return ['node', entry.node, 'run', entry.run, 'seq', String(entry.seq), 'target', JSON.stringify(entry.target), ...data];
}

/** Bytes an entry holds while it waits for Redis (what `maxQueuedBytes` counts), about. */
export function entryBytes(fields: readonly string[]): number {
  let bytes = 64;
  for (const field of fields) bytes += field.length;
  return bytes;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const MAX_TARGET_NAMES = 100_000;

/** An entry read from Redis (`[field, value, field, value, …]`), or what is wrong with it. */
export function parseEntry(fields: unknown): StreamEntry | string {
  if (!Array.isArray(fields) || fields.length % 2 !== 0) return 'the entry is not a list of fields and values';
  const map = new Map<string, string>();
  for (let i = 0; i < fields.length; i += 2) {
    const name: unknown = fields[i];
    const value: unknown = fields[i + 1];
    if (typeof name !== 'string' || typeof value !== 'string') return 'a field or value is not text';
    map.set(name, value);
  }
  const node = map.get('node');
  const run = map.get('run');
  const seqText = map.get('seq');
  if (node === undefined || node.length === 0 || node.length > 64) return 'bad or missing "node"';
  if (run === undefined || run.length === 0 || run.length > 64) return 'bad or missing "run"';
  const seq = seqText === undefined || !/^[1-9][0-9]{0,15}$/.test(seqText) ? NaN : Number(seqText);
  if (!Number.isSafeInteger(seq)) return 'bad or missing "seq"';
  const target = parseTarget(parseJson(map.get('target')));
  if (target === null) return 'bad or missing "target"';
  const text = map.get('text');
  const base64 = map.get('base64');
  let item: AppItem;
  if (text !== undefined && base64 === undefined) {
    const problem = itemProblem(text);
    if (problem !== null) return problem;
    item = text;
  } else if (base64 !== undefined && text === undefined) {
    if (!BASE64.test(base64) || base64.length % 4 !== 0) return 'bad "base64"';
    item = Buffer.from(base64, 'base64');
  } else {
    return 'an entry has one of "text" and "base64"';
  }
  return { node, run, seq, target, item };
}

/** A BroadcastTarget sent by another node, checked (room names as `assertRoomName` wants them), or null. */
export function parseTarget(value: unknown): BroadcastTarget | null {
  if (typeof value !== 'object' || value === null) return null;
  const { rooms, except, volatile } = value as Record<string, unknown>;
  if (!isNameList(rooms) || !isNameList(except) || typeof volatile !== 'boolean') return null;
  return { rooms, except, volatile };
}

/** Whether `value` is a list of valid room names (ids are names too). */
export function isNameList(value: unknown): value is string[] {
  if (!Array.isArray(value) || value.length > MAX_TARGET_NAMES) return false;
  for (const name of value as unknown[]) if (typeof name !== 'string' || name.length === 0 || name.length > MAX_ROOM_NAME_LENGTH) return false;
  return true;
}

/**
 * What is wrong with a string item from another node, or null: it must be what this node's
 * `messageItem` or `eventItem` (without ack id) makes, since it goes into frames as it is.
 */
export function itemProblem(item: string): string | null {
  if (item.charAt(0) === 'e') {
    const parts = parseJson('[' + item.slice(1) + ']');
    if (!Array.isArray(parts) || parts.length !== 2 || typeof parts[0] !== 'string' || !Array.isArray(parts[1])) return 'a bad event item';
    const problem = eventNameProblem(parts[0]);
    return problem === null ? null : 'a bad event item: ' + problem;
  }
  if (item.length === 0 || item.charAt(0) === 'r' || parseJson(item) === undefined) return 'a bad message item';
  return null;
}

/** JSON.parse, or undefined for text that is not JSON (or no text). */
export function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
