// The chat: members, channels, history and presence, on Ferry's application layer. Members are
// Ferry sockets: a channel is a Ferry room (`socket.join`/`socket.leave`), and lines go out with
// `ferry.to(channel).emit(...)`. Every request from a page goes through `request()`, which checks
// it and returns the answer for the page's acknowledgement: `{ error }` when it is refused, never
// an exception.

export const LIMITS = Object.freeze({ name: 24, text: 500, history: 50 });

/** The channels there are; a page can join and leave any of them. */
export const CHANNELS = Object.freeze(['#general', '#random', '#help']);

/** What a page is in before it says otherwise. */
export const DEFAULT_CHANNELS = Object.freeze(['#general']);

/** The named events a page sends, each with one plain-object argument and an acknowledgement. */
export const REQUESTS = Object.freeze(['hello', 'join', 'leave', 'say']);

// C0/C1 controls and the bidi overrides/isolates that let one line spoof another.
const UNSAFE_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Returns `{ value }` with the cleaned string, or `{ error }` saying what is wrong with it. */
export function cleanString(input, { label, max }) {
  if (typeof input !== 'string') return { error: `${label} must be a string` };
  // Refuse absurd inputs before doing any work on them.
  if (input.length > max * 8) return { error: `${label} is longer than ${max} characters` };
  const value = input.replace(UNSAFE_CHARACTERS, ' ').replace(/\s+/g, ' ').trim();
  if (value.length === 0) return { error: `${label} is empty` };
  if (value.length > max) return { error: `${label} is longer than ${max} characters` };
  return { value };
}

/** A request refused: its message is the page's answer. */
class Refused extends Error {}

function check(problem) {
  if (problem.error) throw new Refused(problem.error);
  return problem.value;
}

function isPlainObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !ArrayBuffer.isView(value);
}

function channelOf(input) {
  if (typeof input !== 'string' || !CHANNELS.includes(input)) {
    throw new Refused(`unknown channel (there are ${CHANNELS.join(', ')})`);
  }
  return input;
}

export class ChatRoom {
  /** Every connected socket, named or not: `{ name, transport, channels }`, in connection order. */
  #peers = new Map();
  /** Per channel, the last `LIMITS.history` lines, oldest first. */
  #history = new Map(CHANNELS.map((channel) => [channel, []]));
  /** The id of the next stored line: one sequence for the whole server. */
  #nextId = 1;
  #ferry;
  #now;

  /** `ferry`: the Ferry Server, for broadcasts (`ferry.to(channel)`, `ferry.emit`). */
  constructor(ferry, { now = Date.now } = {}) {
    this.#ferry = ferry;
    this.#now = now;
  }

  /** A socket connected: it gets the presence list, and names itself with `hello`. */
  add(peer, transport) {
    this.#peers.set(peer, { name: null, transport, channels: new Set() });
    this.#send(() => peer.emit('presence', this.#presence()));
  }

  /** A socket's session ended: its channels hear that it left. */
  remove(peer) {
    const member = this.#peers.get(peer);
    if (!member) return;
    this.#peers.delete(peer);
    if (member.name === null) return;
    const at = this.#now();
    for (const channel of member.channels) {
      this.#send(() => this.#ferry.to(channel).emit('left', { channel, name: member.name, at }));
    }
    this.#sendPresence();
  }

  /** The socket's transport changed; named members show up with their transport in presence. */
  setTransport(peer, transport) {
    const member = this.#peers.get(peer);
    if (!member || member.transport === transport) return;
    member.transport = transport;
    if (member.name !== null) this.#sendPresence();
  }

  /**
   * One request (`event`, one of REQUESTS) from `peer` with the arguments it sent (the ack
   * callback already taken off): returns the answer, `{ error }` when refused.
   */
  request(peer, event, args) {
    const member = this.#peers.get(peer);
    if (!member) return { error: 'not connected' };
    try {
      if (args.length !== 1 || !isPlainObject(args[0])) throw new Refused(`${event} takes one object`);
      switch (event) {
        case 'hello':
          return this.#hello(peer, member, args[0]);
        case 'join':
          return this.#join(peer, member, channelOf(args[0].channel));
        case 'leave':
          return this.#leave(peer, member, channelOf(args[0].channel));
        case 'say':
          return this.#say(peer, member, args[0]);
        default:
          throw new Refused('unknown request');
      }
    } catch (err) {
      if (err instanceof Refused) return { error: err.message };
      throw err; // a bug: the server's `error` event, and the page's ack fails
    }
  }

  get memberCount() {
    let count = 0;
    for (const member of this.#peers.values()) if (member.name !== null) count++;
    return count;
  }

  /** `{ name, channels? }`: names (or renames) the member and joins `channels` (default #general). */
  #hello(peer, member, { name: rawName, channels: rawChannels }) {
    const name = check(cleanString(rawName, { label: 'name', max: LIMITS.name }));
    let wanted = DEFAULT_CHANNELS;
    if (rawChannels !== undefined) {
      if (!Array.isArray(rawChannels) || rawChannels.length > CHANNELS.length) throw new Refused('channels must be a list of channel names');
      wanted = rawChannels.map(channelOf);
    }
    const previous = member.name;
    member.name = name;
    if (previous !== null && previous !== name) {
      this.#send(() => this.#ferry.emit('renamed', { from: previous, to: name, at: this.#now() }));
    }
    for (const channel of wanted) this.#enter(peer, member, channel);
    if (previous !== name) this.#sendPresence();
    const history = {};
    for (const channel of member.channels) history[channel] = this.#history.get(channel).slice();
    return { name, channels: CHANNELS, joined: [...member.channels], history };
  }

  #join(peer, member, channel) {
    if (member.name === null) throw new Refused('say hello before joining');
    this.#enter(peer, member, channel);
    return { channel, history: this.#history.get(channel).slice() };
  }

  #leave(peer, member, channel) {
    if (!member.channels.has(channel)) return { channel };
    member.channels.delete(channel);
    peer.leave(channel);
    this.#send(() => this.#ferry.to(channel).emit('left', { channel, name: member.name, at: this.#now() }));
    return { channel };
  }

  /** `{ channel, text }`: stores the line and sends it to the channel; answers with its id. */
  #say(peer, member, { channel: rawChannel, text: rawText }) {
    if (member.name === null) throw new Refused('say hello before you say anything');
    const channel = channelOf(rawChannel);
    if (!member.channels.has(channel)) throw new Refused(`join ${channel} before you say anything there`);
    const text = check(cleanString(rawText, { label: 'text', max: LIMITS.text }));
    const line = { id: this.#nextId++, channel, name: member.name, text, at: this.#now() };
    const history = this.#history.get(channel);
    history.push(line);
    if (history.length > LIMITS.history) history.shift();
    // The sender has the line already (shown as "sending…"); the answer tells it the id.
    this.#send(() => this.#ferry.to(channel).except(peer.id).emit('chat', line));
    return { id: line.id, channel, at: line.at };
  }

  #enter(peer, member, channel) {
    if (member.channels.has(channel)) return;
    member.channels.add(channel);
    peer.join(channel);
    this.#send(() => this.#ferry.to(channel).except(peer.id).emit('joined', { channel, name: member.name, at: this.#now() }));
  }

  #presence() {
    const users = [];
    for (const { name, transport } of this.#peers.values()) {
      if (name !== null) users.push({ name, transport });
    }
    return users;
  }

  #sendPresence() {
    this.#send(() => this.#ferry.emit('presence', this.#presence()));
  }

  // A socket that cannot take a message (ended, buffer full) must not fail the request.
  #send(fn) {
    try {
      fn();
    } catch (err) {
      console.error('chat: send failed:', err instanceof Error ? err.message : err);
    }
  }
}
