import type { JsonValue } from './frames.js';

/**
 * Typed events, shared by client and server. An event map names each event and the signature of
 * its handler: the arguments it is emitted with, and what its handler answers when the sender asks
 * for an acknowledgement:
 *
 *     interface ServerEvents { chat: (room: string, text: string) => { stored: number } }
 *
 * Maps are plain interfaces or type literals (no index signature needed). Arguments and answers
 * travel as JSON.
 */

/** The map used when none is given: any event name, JSON arguments, a JSON answer (or none). */
export type DefaultEvents = { [event: string]: (...args: JsonValue[]) => JsonValue | void };

/** The event names of a map. */
export type EventNames<Map> = keyof Map & string;

/** The arguments event `E` is emitted with. */
export type EventArgs<Map, E extends keyof Map> = Map[E] extends (...args: infer Args) => unknown ? Args : never;

/** What a handler of `E` answers (the acknowledgement's value), a Promise unwrapped. */
export type EventAnswer<Map, E extends keyof Map> = Map[E] extends (...args: never[]) => infer Answer ? Awaited<Answer> : never;

/** Answers an acknowledged event from a callback-style handler (a value that was not sent back is null). */
export type AckCallback<Answer> = (answer: Answer) => void;

/**
 * A listener for event `E`: the event's arguments, then a callback to answer with. It answers by
 * returning a value (or a Promise of one), or by returning nothing and calling the callback.
 */
export type EventHandler<Map, E extends keyof Map> = (
  ...args: [...EventArgs<Map, E>, AckCallback<EventAnswer<Map, E>>]
) => EventAnswer<Map, E> | Promise<EventAnswer<Map, E>> | void;

/** Node-style callback of an acknowledged emit, for code without Promise (the ES5 bundle): error first. */
export type AckResultCallback<Answer> = (error: Error | null, answer?: Answer) => void;

/**
 * Names the socket itself uses for its own events: an application event may not take one (both
 * sides refuse to emit it, and a peer that sends one breaks the protocol).
 */
const RESERVED = [
  'open',
  'close',
  'message',
  'transport',
  'reconnecting',
  'reconnect',
  'dropped',
  'error',
  'drain',
  'connect',
  'connection',
  'connect_error',
  'disconnect',
  'disconnecting',
  'refused',
  'newListener',
  'removeListener',
] as const;

/** A name in RESERVED_EVENTS, as a type: emitting one is a type error too. */
export type ReservedEventName = (typeof RESERVED)[number];

export const RESERVED_EVENTS: readonly string[] = RESERVED;

/** Longest event name, in UTF-16 units. */
export const MAX_EVENT_NAME_LENGTH = 200;

/** Why `name` cannot be an application event's name, or null when it can. */
export function eventNameProblem(name: unknown): string | null {
  if (typeof name !== 'string' || name.length === 0) return 'an event name must be a non-empty string';
  if (name.length > MAX_EVENT_NAME_LENGTH) return 'an event name is at most ' + MAX_EVENT_NAME_LENGTH + ' characters';
  for (let i = 0; i < RESERVED_EVENTS.length; i++) {
    if (RESERVED_EVENTS[i] === name) return '"' + name + '" is reserved for the socket\'s own events';
  }
  return null;
}
