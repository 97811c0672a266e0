import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { closeAfterEach, connectClient, startServer, waitFor } from '../support/harness.js';
import { ALL_TRANSPORTS } from '../support/transports.js';

const track = closeAfterEach();

describe.each(ALL_TRANSPORTS)('the ClientSocket the app holds, on %s', (transport) => {
  it('shows the session secret on no enumerable property, in no JSON and in no console dump', async () => {
    const server = track(await startServer());
    const client = connectClient(server.origin, { transports: [transport] });
    await waitFor(() => client.socket.state === 'open' && server.sockets.length === 1, 'an open session');
    // the server's session knows the secret (an internal getter there)
    const token = (server.sockets[0] as unknown as { token: string }).token;
    expect(token.length).toBeGreaterThan(10);
    const socket = client.socket as unknown as Record<string, unknown>;
    expect(Object.keys(socket)).not.toContain('token');
    for (const key of Object.keys(socket)) expect(socket[key]).not.toBe(token);
    // JSON of everything reachable from the socket's enumerable properties (cycles cut)
    const seen = new WeakSet<object>();
    const json = JSON.stringify(socket, (_key, value: unknown) => {
      if (typeof value !== 'object' || value === null) return value;
      if (seen.has(value)) return '[cycle]';
      seen.add(value);
      return value;
    });
    expect(json).toContain('"state":"open"');
    expect(json).not.toContain(token);
    expect(inspect(socket, { depth: 8, showHidden: false })).not.toContain(token);
    client.socket.close();
  });
});
