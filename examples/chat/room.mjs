// The chat room: members, history and presence. It knows nothing about HTTP or Ferry; a member
// is anything with `send(value)`, and every incoming message goes through `receive()`, which
// validates it and answers the sender with `{ type: 'error' }` instead of throwing.

export const LIMITS = Object.freeze({ name: 24, text: 500, history: 50 });

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

export class ChatRoom {
  /** Every connected peer, joined or not, in connection order. */
  #peers = new Map();
  /** The last `LIMITS.history` said lines, oldest first. */
  #history = [];
  #now;

  constructor({ now = Date.now } = {}) {
    this.#now = now;
  }

  /** A peer connected; it receives broadcasts (it may read without joining) and the presence list. */
  add(peer, transport) {
    this.#peers.set(peer, { name: null, transport });
    this.#sendTo(peer, this.#presence());
  }

  /** A peer disconnected; announces the leave if it had joined. */
  remove(peer) {
    const member = this.#peers.get(peer);
    if (!member) return;
    this.#peers.delete(peer);
    if (member.name !== null) {
      this.#broadcast({ type: 'left', name: member.name, at: this.#now() });
      this.#broadcast(this.#presence());
    }
  }

  /** The peer's transport changed; joined peers show up with their transport in presence. */
  setTransport(peer, transport) {
    const member = this.#peers.get(peer);
    if (!member || member.transport === transport) return;
    member.transport = transport;
    if (member.name !== null) this.#broadcast(this.#presence());
  }

  /** One incoming message from `peer`: any value at all. */
  receive(peer, message) {
    const member = this.#peers.get(peer);
    if (!member) return;
    if (message === null || typeof message !== 'object' || Array.isArray(message) || ArrayBuffer.isView(message)) {
      this.#fail(peer, 'messages must be JSON objects');
      return;
    }
    switch (message.type) {
      case 'join':
        this.#join(peer, member, message.name);
        return;
      case 'say':
        this.#say(peer, member, message.text);
        return;
      default:
        this.#fail(peer, 'unknown message type');
    }
  }

  get memberCount() {
    let count = 0;
    for (const member of this.#peers.values()) if (member.name !== null) count++;
    return count;
  }

  #join(peer, member, rawName) {
    const name = cleanString(rawName, { label: 'name', max: LIMITS.name });
    if (name.error) {
      this.#fail(peer, name.error);
      return;
    }
    const previous = member.name;
    member.name = name.value;
    if (previous === null) {
      this.#sendTo(peer, { type: 'welcome', name: name.value, history: this.#history.slice() });
      this.#broadcast({ type: 'joined', name: name.value, at: this.#now() });
    } else {
      // Joining again renames; the history was already sent.
      this.#sendTo(peer, { type: 'welcome', name: name.value });
      if (previous === name.value) return;
      this.#broadcast({ type: 'renamed', from: previous, to: name.value, at: this.#now() });
    }
    this.#broadcast(this.#presence());
  }

  #say(peer, member, rawText) {
    if (member.name === null) {
      this.#fail(peer, 'join before you say anything');
      return;
    }
    const text = cleanString(rawText, { label: 'text', max: LIMITS.text });
    if (text.error) {
      this.#fail(peer, text.error);
      return;
    }
    const line = { type: 'said', name: member.name, text: text.value, at: this.#now() };
    this.#history.push(line);
    if (this.#history.length > LIMITS.history) this.#history.shift();
    this.#broadcast(line);
  }

  #presence() {
    const users = [];
    for (const { name, transport } of this.#peers.values()) {
      if (name !== null) users.push({ name, transport });
    }
    return { type: 'presence', users };
  }

  #fail(peer, message) {
    this.#sendTo(peer, { type: 'error', message });
  }

  #broadcast(value) {
    for (const peer of this.#peers.keys()) this.#sendTo(peer, value);
  }

  // One peer that cannot take a message must not stop the others from getting it.
  #sendTo(peer, value) {
    try {
      peer.send(value);
    } catch (err) {
      console.error('chat: send failed:', err instanceof Error ? err.message : err);
    }
  }
}
