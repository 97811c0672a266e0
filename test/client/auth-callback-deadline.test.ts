// The client's `auth` function is the app's code: one that never calls back (a token service that
// hangs) must not leave the socket connecting for ever. It is asked again after connectTimeout and
// the backoff, as a failed handshake would be retried, and an answer that comes too late is ignored.
import { expect, it } from 'vitest';
import { connect } from '../../client/index.js';
import type { JsonValue } from '../../protocol/index.js';
import { closeAfterEach, startServer, waitFor } from '../support/harness.js';

const track = closeAfterEach();

it('asks an auth function that did not call back again after connectTimeout, and ignores its late answer', async () => {
  const server = track(await startServer());
  const payloads: Array<JsonValue | undefined> = [];
  server.ferry.use((handshake) => {
    payloads.push(handshake.auth);
  });
  const pending: Array<(auth: JsonValue) => void> = [];
  const socket = connect(server.origin + '/ferry', {
    transports: ['xhr-polling'],
    connectTimeout: 300,
    reconnectDelay: 50,
    reconnectDelayMax: 100,
    auth: (cb) => {
      pending.push(cb);
      // the first call hangs; the second answers at once
      if (pending.length === 2) cb({ token: 'second' });
    },
  });
  track({ close: async () => socket.close() });
  let opened = 0;
  socket.on('open', () => opened++);
  await waitFor(() => opened === 1, 'open after the second call');
  expect(pending.length).toBe(2);
  // the first call's answer, far too late, starts nothing
  pending[0]({ token: 'first' });
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(payloads).toEqual([{ token: 'second' }]);
  expect(server.ferry.sessionCount).toBe(1);
  expect(opened).toBe(1);
});
