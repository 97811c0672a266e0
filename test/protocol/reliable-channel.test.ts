import { describe, expect, it } from 'vitest';
import { ProtocolError, ReliableChannel, entryText } from '../../protocol/index.js';

function seqs(channel: ReliableChannel, maxBytes = Infinity): number[] {
  return channel.takeUnwritten(maxBytes).map((e) => e.seq);
}

describe('ReliableChannel, outbound', () => {
  it('numbers messages from 1 and hands each to the transport once', () => {
    const c = new ReliableChannel();
    ['a', 'b', 'c'].forEach((v) => c.push(v));
    expect(seqs(c)).toEqual([1, 2, 3]);
    expect(seqs(c)).toEqual([]);
    c.push('d');
    expect(seqs(c)).toEqual([4]);
  });

  it('keeps unacknowledged messages and replays them from the ack on rewind', () => {
    const c = new ReliableChannel();
    for (let i = 0; i < 5; i++) c.push(i);
    seqs(c);
    c.acknowledge(2);
    expect(c.unackedCount()).toBe(3);
    c.rewind();
    expect(seqs(c)).toEqual([3, 4, 5]);
  });

  it('frees bytes on ack and refuses an ack ahead of what was sent', () => {
    const c = new ReliableChannel();
    c.push('x'.repeat(100));
    c.push('y');
    seqs(c);
    const before = c.bufferedBytes;
    c.acknowledge(1);
    expect(c.bufferedBytes).toBeLessThan(before - 100);
    expect(() => c.acknowledge(3)).toThrow(ProtocolError);
    c.acknowledge(1); // old acks are harmless
  });

  it('refuses an ack of a message queued but never handed to a transport, even after a rewind', () => {
    const c = new ReliableChannel();
    for (let i = 0; i < 4; i++) c.push(i);
    expect(c.takeUnwritten(20).map((e) => e.seq)).toEqual([1]);
    expect(() => c.acknowledge(2)).toThrow(ProtocolError);
    expect(seqs(c)).toEqual([2, 3, 4]);
    c.rewind(); // a new transport: 1-4 go out again, but 1-4 were all sent once, so each may be acked
    c.acknowledge(4);
    expect(c.unackedCount()).toBe(0);
    c.push(5);
    expect(() => c.acknowledge(5)).toThrow(ProtocolError);
  });

  it('splits batches by byte budget but always sends at least one message', () => {
    const c = new ReliableChannel();
    for (let i = 0; i < 4; i++) c.push('x'.repeat(100));
    expect(seqs(c, 250)).toEqual([1, 2]);
    expect(seqs(c, 10)).toEqual([3]);
    expect(seqs(c, 10)).toEqual([4]);
  });

  it('stays correct across compaction of a long acknowledged history', () => {
    const c = new ReliableChannel();
    for (let i = 1; i <= 5000; i++) {
      c.push(i);
      seqs(c);
      if (i % 7 === 0) c.acknowledge(i - 3);
    }
    c.rewind();
    const replay = seqs(c);
    expect(replay[0]).toBe(4996); // last ack was 4998 - 3
    expect(replay[replay.length - 1]).toBe(5000);
  });
});

describe('ReliableChannel, inbound', () => {
  it('delivers the next number, drops duplicates, rejects gaps', () => {
    const c = new ReliableChannel();
    expect(c.accept(1)).toBe('deliver');
    expect(c.accept(2)).toBe('deliver');
    expect(c.accept(1)).toBe('duplicate');
    expect(c.accept(2)).toBe('duplicate');
    expect(() => c.accept(4)).toThrow(ProtocolError);
  });

  it('tracks what has been acknowledged to the peer', () => {
    const c = new ReliableChannel();
    c.accept(1);
    c.accept(2);
    expect(c.unackedInbound()).toBe(2);
    expect(c.takeAck()).toBe(2);
    expect(c.unackedInbound()).toBe(0);
    c.forgetAckSent();
    expect(c.unackedInbound()).toBe(2);
  });
});

describe('ReliableChannel, memory', () => {
  it('keeps nothing once everything is acknowledged, whatever was sent before', () => {
    const c = new ReliableChannel();
    const big = 'x'.repeat(100_000);
    for (let i = 0; i < 3; i++) c.push(big);
    c.takeUnwritten(Infinity);
    c.acknowledge(3);
    expect(c.unackedCount()).toBe(0);
    expect(c.bufferedBytes).toBe(0);
    // no acknowledged message is still referenced by the channel
    expect(JSON.stringify(c)).not.toContain('xxxx');
  });

  it('releases acknowledged messages even while others are still pending', () => {
    const c = new ReliableChannel();
    c.push('first-acknowledged');
    c.push('second-pending');
    c.takeUnwritten(Infinity);
    c.acknowledge(1);
    expect(JSON.stringify(c)).not.toContain('first-acknowledged');
    expect(JSON.stringify(c)).toContain('second-pending');
    c.rewind();
    expect(c.takeUnwritten(Infinity).map(entryText)).toEqual(['["m",2,"second-pending"]']);
  });
});
