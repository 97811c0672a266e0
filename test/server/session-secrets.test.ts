import { describe, expect, it } from 'vitest';
import request from 'supertest';
import { closeAfterEach, startServer } from '../support/harness.js';

const track = closeAfterEach();

describe('session ids and tokens', () => {
  it('are 96-bit ids and 192-bit tokens in base64url, never repeated (over several refills of the random pool)', async () => {
    // 400 handshakes from one address in well under a second: above the default per-address burst (200)
    const server = track(await startServer({ maxSessions: 1000, addressHandshakeBurst: 400 }));
    const ids = new Set<string>();
    const tokens = new Set<string>();
    // 4 KiB pool, 36 bytes a session: 400 sessions draw it about 3.5 times
    for (let i = 0; i < 400; i++) {
      const res = await request(server.http).post('/ferry/v1/handshake').expect(200);
      const { sid, token } = res.body as { sid: string; token: string };
      expect(sid).toMatch(/^[A-Za-z0-9_-]{16}$/);
      expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
      ids.add(sid);
      tokens.add(token);
    }
    expect(ids.size).toBe(400);
    expect(tokens.size).toBe(400);
    expect([...tokens].some((t) => ids.has(t.slice(0, 16)))).toBe(false);
  });
});
