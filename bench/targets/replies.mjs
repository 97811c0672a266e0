// What every benchmark server does with a message, whatever the library:
// echo it, except for the in-band push command, which asks for a burst.

/** The message every benchmark sends: a short text, as chat apps send. */
export const PAYLOAD = 'the quick brown fox jumps over the lazy dog 0123456789';

/** Asks the server for `count` messages, followed by END. */
export const pushCommand = (count) => `!push ${count}`;
export const END = '!end';

/** Replies to `message` through `send`: a burst for a push command, else an echo. */
export function reply(message, send) {
  if (typeof message === 'string' && message.startsWith('!push ')) {
    const count = Number(message.slice(6));
    for (let i = 0; i < count; i++) send(PAYLOAD);
    send(END);
    return;
  }
  send(message);
}
