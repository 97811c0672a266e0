import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import request from 'supertest';
import { Server, type ServerOptions } from '../../server/index.js';
import { closeAfterEach } from '../support/harness.js';
import { query, rawHandshake } from '../support/raw-session.js';
import { RawConnection } from '../support/raw-http.js';

const track = closeAfterEach();

/** Every FERRY_UNSAFE_HTTP_SERVER warning the process emits during a test. */
const warnings: Error[] = [];
const onWarning = (warning: Error & { code?: string }) => {
  if (warning.code === 'FERRY_UNSAFE_HTTP_SERVER') warnings.push(warning);
};
process.on('warning', onWarning);
afterEach(() => {
  warnings.length = 0;
});

/** Warnings are emitted on the next tick. */
const tick = () => new Promise((resolve) => setImmediate(resolve));

async function serve(settings: http.ServerOptions, options: ServerOptions = {}) {
  const httpServer = http.createServer(settings);
  const ferry = new Server({ path: '/ferry', ...options }).attach(httpServer);
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const port = (httpServer.address() as AddressInfo).port;
  return track({
    ferry,
    http: httpServer,
    port,
    origin: `http://127.0.0.1:${port}`,
    sockets: [],
    close: async () => {
      await ferry.close();
      httpServer.closeAllConnections();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    },
  });
}

describe('attach warns about an HTTP server that is unsafe on the open internet', () => {
  it("Node's defaults draw no warning", async () => {
    new Server().attach(http.createServer());
    await tick();
    expect(warnings).toEqual([]);
  });

  it.each([
    ['requestTimeout 0', (s: http.Server) => (s.requestTimeout = 0), /requestTimeout is 0/],
    ['headersTimeout 0', (s: http.Server) => (s.headersTimeout = 0), /headersTimeout is 0/],
    ['headersTimeout over a minute', (s: http.Server) => (s.headersTimeout = 120_000), /headersTimeout is 120000/],
    ['keepAliveTimeout 0', (s: http.Server) => (s.keepAliveTimeout = 0), /keepAliveTimeout is 0/],
    ['a socket timeout that would cut held polls', (s: http.Server) => s.setTimeout(20_000), /not above pingInterval/],
  ])('%s: one warning with the code FERRY_UNSAFE_HTTP_SERVER, once per HTTP server', async (_name, configure, text) => {
    const httpServer = http.createServer();
    configure(httpServer);
    new Server().attach(httpServer);
    new Server().attach(httpServer);
    await tick();
    expect(warnings).toHaveLength(1);
    expect(warnings[0].message).toMatch(text);
    expect(warnings[0].name).toBe('FerryWarning');
  });
});

describe("Node's requestTimeout bounds receiving a request, not a held answer (Node 20)", () => {
  it('a poll held for pingInterval outlives requestTimeout; a body trickled past it is cut', async () => {
    const server = await serve({ requestTimeout: 800, headersTimeout: 800, connectionsCheckingInterval: 50 }, { pingInterval: 2000, bodyTimeout: 60_000 });
    const hs = await rawHandshake(server);
    // the first poll of a transport is answered at once, the next at the session's first heartbeat
    // tick (anywhere in the first interval), and the one after it a whole pingInterval later
    expect((await request(server.http).get(`/ferry/v1/poll?${query(hs, '&e=1')}`)).text).toBe('[]');
    expect((await request(server.http).get(`/ferry/v1/poll?${query(hs, '&e=1')}`)).text).toBe('[]');
    const started = Date.now();
    const slowBody = new RawConnection(server.port);
    track({ close: async () => slowBody.destroy() });
    await slowBody.write(`POST /ferry/v1/send?${query(hs)} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\n[`);
    const trickle = setInterval(() => void slowBody.write(' '), 100);
    track({ close: async () => clearInterval(trickle) });

    const poll = await request(server.http).get(`/ferry/v1/poll?${query(hs, '&e=1')}`);
    const held = Date.now() - started;
    expect(poll.status).toBe(200);
    expect(held).toBeGreaterThanOrEqual(1900);
    // Node closed the slow request long before: it was still being received
    expect(slowBody.closed).toBe(true);
    expect(slowBody.received.toString('latin1')).toMatch(/^HTTP\/1\.1 408 /);
  });
});
