import { describe, expect, it } from 'vitest';
import { ReliableChannel, entryText } from '../../protocol/index.js';

function texts(channel: ReliableChannel): string[] {
  return channel.takeUnwritten(Infinity).map(entryText);
}

describe('ReliableChannel.refuseUnsent', () => {
  it('takes refused messages out before they are numbered: the later ones close the gap', () => {
    const c = new ReliableChannel();
    ['a', 'BIG', 'b', 'BIGGER', 'c'].forEach((v) => c.push(v));
    const before = c.bufferedBytes;
    const refused = c.refuseUnsent((item) => typeof item === 'string' && item.includes('BIG'));
    expect(refused).toEqual(['"BIG"', '"BIGGER"']);
    expect(c.bufferedBytes).toBe(before - ('"BIG"'.length + 16) - ('"BIGGER"'.length + 16));
    expect(c.unackedCount()).toBe(3);
    expect(texts(c)).toEqual(['["m",1,"a"]', '["m",2,"b"]', '["m",3,"c"]']);
    c.push('d');
    expect(texts(c)).toEqual(['["m",4,"d"]']);
  });

  it('never touches a message a transport has been given, even after a rewind', () => {
    const c = new ReliableChannel();
    c.push('x1');
    c.push('x2');
    texts(c);
    c.rewind();
    c.push('x3');
    c.push('y');
    expect(c.refuseUnsent((item) => typeof item === 'string' && item.startsWith('"x'))).toEqual(['"x3"']);
    c.acknowledge(1);
    c.rewind();
    expect(texts(c)).toEqual(['["m",2,"x2"]', '["m",3,"y"]']);
  });

  it('refusing everything leaves an empty channel that numbers on from the acknowledged position', () => {
    const c = new ReliableChannel();
    c.push('a');
    texts(c);
    c.acknowledge(1);
    c.push(new Uint8Array([1, 2]));
    expect(c.refuseUnsent(() => true)).toEqual([new Uint8Array([1, 2])]);
    expect(c.bufferedBytes).toBe(0);
    expect(c.hasUnwritten()).toBe(false);
    c.push('b');
    expect(texts(c)).toEqual(['["m",2,"b"]']);
  });
});
