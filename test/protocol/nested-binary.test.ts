import { describe, expect, it } from 'vitest';
import { ReliableChannel } from '../../protocol/index.js';

describe('a JSON message holding bytes inside it', () => {
  const cases: Array<[string, unknown, string]> = [
    ['a Buffer in an object', { echo: Buffer.from('hi') }, 'echo'],
    ['a Uint8Array in an array', [1, new Uint8Array([1, 2])], '[1]'],
    ['an empty Uint8Array', { a: { b: new Uint8Array(0) } }, 'a.b'],
    ['an ArrayBuffer', { raw: new ArrayBuffer(4) }, 'raw'],
    ['a DataView', { view: new DataView(new ArrayBuffer(2)) }, 'view'],
    ['a Float64Array', { list: [{ f: new Float64Array([1.5]) }] }, 'list[0].f'],
  ];
  it.each(cases)('is refused with a TypeError naming where: %s', (_name, value, at) => {
    const c = new ReliableChannel();
    expect(() => c.push(value as never)).toThrow(TypeError);
    expect(() => c.push(value as never)).toThrow(`binary data at ${at} inside a JSON message is not supported`);
    // nothing stored, nothing numbered
    expect(c.unackedCount()).toBe(0);
    expect(c.bufferedBytes).toBe(0);
    expect(c.push('next')).toBe(1);
  });

  it('leaves JSON that merely looks like it alone', () => {
    const c = new ReliableChannel();
    const lookalikes = [{}, { '0': 1 }, { type: 'Buffer', data: [1] }, [{}], { d: new Date(0) }, 'Buffer {}'];
    for (const value of lookalikes) c.push(value as never);
    expect(c.unackedCount()).toBe(lookalikes.length);
  });
});
