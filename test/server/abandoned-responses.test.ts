// Responses a client stopped reading: the server does not keep what it buffered for them once the
// client has moved on (their messages were never acknowledged, so they are sent again anyway).
import http from 'node:http';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { closeAfterEach, startServer, waitFor } from '../support/harness.js';
import { query, rawHandshake } from '../support/raw-session.js';

const track = closeAfterEach();
const MiB = 1024 * 1024;

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http.get(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

describe('abandoned poll responses', () => {
  it('a poll answered into a connection nobody reads is destroyed when the next poll comes, and the next poll gets the messages', async () => {
    // one 16 MiB message: more than the kernel's loopback buffers take, so Node holds the rest
    const server = track(await startServer({ maxBufferedBytes: 64 * MiB, pollBatchBytes: 32 * MiB }, () => {}));
    const pollResponses: http.ServerResponse[] = [];
    server.http.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      if (req.url?.includes('/v1/poll')) pollResponses.push(res);
    });
    const hs = await rawHandshake(server);
    const url = `${server.origin}/ferry/v1/poll?${query(hs, '&e=1&ack=0')}`;
    expect((await get(url)).body).toBe('[]'); // the first poll is answered at once
    const session = server.sockets[0];
    session.send('z'.repeat(16 * MiB));
    const reader = net.connect(server.port, '127.0.0.1');
    reader.on('error', () => {});
    track({ close: async () => void reader.destroy() });
    reader.write(`GET /ferry/v1/poll?${query(hs, '&e=1&ack=0')} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    reader.pause(); // and never read
    await waitFor(() => pollResponses.length === 2 && pollResponses[1].writableEnded, 'the poll to be answered');
    const abandoned = pollResponses[1];
    expect(abandoned.writableLength).toBeGreaterThan(0);
    expect(session.bufferedAmount).toBeGreaterThan(16 * MiB + abandoned.writableLength - 1);
    const connection = abandoned.socket;
    expect(connection?.destroyed).toBe(false);
    const { body } = await get(url);
    // the abandoned connection and the 16 MiB Node held for it are gone, not left to TCP's timeouts
    expect(connection?.destroyed).toBe(true);
    expect(body.length).toBe(16 * MiB + '[["m",1,""]]'.length);
  }, 30_000);
});
