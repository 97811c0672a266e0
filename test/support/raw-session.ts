import request from 'supertest';
import type { Handshake } from '../../protocol/index.js';
import type { TestServer } from './harness.js';

/** Creates a session by hand, the way a client would, and returns its handshake. */
export async function rawHandshake(server: TestServer): Promise<Handshake> {
  const res = await request(server.http).post('/ferry/v1/handshake').expect(200);
  return res.body as Handshake;
}

export function query(hs: Handshake, extra = ''): string {
  return `sid=${encodeURIComponent(hs.sid)}&t=${encodeURIComponent(hs.token)}${extra}`;
}
