import { describe, expect, it } from 'vitest';
import { ProtocolError, decodeBinaryFrame, decodePacket, encodeBinaryFrame, encodeControl, encodeMessageFrame, encodePacket, utf8Length } from '../../protocol/index.js';

describe('message frames', () => {
  it('encode JSON values as ["m",seq,value] and bytes as ["b",seq,base64]', () => {
    expect(encodeMessageFrame(1, { a: [1, 'x'] })).toBe('["m",1,{"a":[1,"x"]}]');
    expect(encodeMessageFrame(2, 'hi')).toBe('["m",2,"hi"]');
    expect(encodeMessageFrame(3, new Uint8Array([1, 2, 3]))).toBe('["b",3,"AQID"]');
  });

  it('refuse values JSON cannot carry', () => {
    expect(() => encodeMessageFrame(1, undefined as never)).toThrow(TypeError);
  });

  it('round-trip through a batched packet', () => {
    const text = encodePacket([encodeMessageFrame(1, 'a'), encodeControl({ type: 'ack', seq: 7 }), encodeMessageFrame(2, new Uint8Array([255])), encodeControl({ type: 'ping', n: 3 })]);
    expect(text).toBe('[["m",1,"a"],["a",7],["b",2,"/w=="],["ping",3]]');
    expect(decodePacket(text)).toEqual([
      { type: 'message', seq: 1, data: 'a' },
      { type: 'ack', seq: 7 },
      { type: 'message', seq: 2, data: new Uint8Array([255]) },
      { type: 'ping', n: 3 },
    ]);
  });

  it('control frames round-trip', () => {
    const frames = [
      { type: 'pong', n: 9 },
      { type: 'probe', nonce: 'abc' },
      { type: 'upgrade', ack: 12 },
      { type: 'close', code: 4006, reason: 'buffer overflow' },
    ] as const;
    expect(decodePacket(encodePacket(frames.map((f) => encodeControl(f))))).toEqual(frames);
  });

  it.each(['', 'null', '{}', '[1]', '[[]]', '[["m"]]', '[["m",-1,1]]', '[["m",1,1,1]]', '[["b",1,5]]', '[["close","x","y"]]', '[["probe","' + 'x'.repeat(65) + '"]]'])(
    'rejects %j with a ProtocolError',
    (text) => {
      expect(() => decodePacket(text)).toThrow(ProtocolError);
    },
  );
});

describe('binary WebSocket frames', () => {
  it('carry the sequence number as float64 and the payload after a 9-byte header', () => {
    const frame = encodeBinaryFrame(2 ** 40 + 3, new Uint8Array([9, 8]));
    expect(frame.length).toBe(11);
    expect(frame[0]).toBe(0x62);
    expect(decodeBinaryFrame(frame)).toEqual({ seq: 2 ** 40 + 3, data: new Uint8Array([9, 8]) });
  });

  it('reject short, unmarked or non-integer frames', () => {
    expect(decodeBinaryFrame(new Uint8Array(5))).toBeNull();
    expect(decodeBinaryFrame(new Uint8Array(12))).toBeNull();
    const bad = encodeBinaryFrame(1, new Uint8Array(0));
    new DataView(bad.buffer).setFloat64(1, 1.5);
    expect(decodeBinaryFrame(bad)).toBeNull();
  });
});

describe('utf8Length', () => {
  it.each(['', 'abc', 'é', '✓', '𝄞', 'a𝄞b✓é'])('matches Buffer for %j', (text) => {
    expect(utf8Length(text)).toBe(Buffer.byteLength(text));
  });
});
