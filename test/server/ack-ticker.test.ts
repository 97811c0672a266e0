import { describe, expect, it } from 'vitest';
import { AckTicker } from '../../server/ack-ticker.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('AckTicker', () => {
  it('flushes every member once, within one delay of joining, and then stops', async () => {
    const delay = 100;
    const ticker = new AckTicker(delay);
    const flushedAt: number[][] = [[], [], []];
    const t0 = Date.now();
    const members = flushedAt.map((times) => ({ flush: () => times.push(Date.now() - t0) }));
    ticker.add(members[0]);
    ticker.add(members[0]); // joining twice is one flush
    await sleep(30);
    ticker.add(members[1]);
    ticker.add(members[2]);
    ticker.delete(members[2]); // acked some other way meanwhile
    await sleep(delay * 4);
    expect(flushedAt[0]).toHaveLength(1);
    expect(flushedAt[1]).toHaveLength(1);
    expect(flushedAt[2]).toHaveLength(0);
    expect(flushedAt[0][0]).toBeLessThanOrEqual(delay + 60);
    expect(flushedAt[1][0]).toBeLessThanOrEqual(30 + delay + 60);
    // a member joining later is flushed again (the timer restarts)
    const t1 = Date.now();
    ticker.add(members[0]);
    await sleep(delay * 2);
    expect(flushedAt[0]).toHaveLength(2);
    expect(flushedAt[0][1] - (t1 - t0)).toBeLessThanOrEqual(delay + 60);
    ticker.stop();
  });

  it('a member that joins again from its flush waits for the next tick', async () => {
    const ticker = new AckTicker(50);
    let flushes = 0;
    const member = {
      flush: () => {
        flushes++;
        if (flushes < 3) ticker.add(member);
      },
    };
    ticker.add(member);
    await sleep(30);
    expect(flushes).toBe(0);
    await sleep(200);
    expect(flushes).toBe(3);
    ticker.stop();
  });
});
