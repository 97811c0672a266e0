import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { handshakeInfo } from '../../server/handshake-info.js';

function fakeRequest(headers: Record<string, string | string[]>, address = '10.0.0.1'): IncomingMessage {
  return { headers, socket: { remoteAddress: address } } as unknown as IncomingMessage;
}

describe('handshakeInfo', () => {
  it('keeps every header value as sent, past the bound on shared values', () => {
    // more distinct user agents than are shared at once: the shared values start over, and every
    // copy still holds its own request's value
    for (let i = 0; i < 5000; i++) {
      const ua = `agent/${i} ` + 'x'.repeat(i % 700);
      const info = handshakeInfo(fakeRequest({ 'user-agent': ua, host: 'example.test', cookie: `sid=${i}`, 'set-x': ['a', String(i)] }, `10.0.${i % 256}.1`));
      expect(info.headers['user-agent']).toBe(ua);
      expect(info.headers.host).toBe('example.test');
      expect(info.headers.cookie).toBe(`sid=${i}`);
      expect(info.headers['set-x']).toEqual(['a', String(i)]);
      expect(info.address).toBe(`10.0.${i % 256}.1`);
    }
  });

  it('drops the headers that only describe the handshake request', () => {
    const info = handshakeInfo(fakeRequest({ connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': 'k', 'content-length': '0', 'content-type': 'text/plain', 'x-app': 'kept' }));
    expect(info.headers).toEqual({ 'x-app': 'kept' });
  });
});
