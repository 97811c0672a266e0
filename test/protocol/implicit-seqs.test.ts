import { describe, expect, it } from 'vitest';
import { ProtocolError, decodePacket, frameText, implicitPacket, type SeqCursor } from '../../protocol/index.js';

function seqs(text: string, cursor?: SeqCursor): number[] {
  return decodePacket(text, cursor).map((frame) => (frame.type === 'message' || frame.type === 'event' || frame.type === 'answer' ? frame.seq : -1));
}

describe('implicit sequence numbers (seq 0 on a WebSocket connection)', () => {
  it('number each seq-0 message, event and answer after the last one decoded on the connection', () => {
    const cursor = { lastSeq: 0 };
    expect(seqs('[["m",7,"a"],["m",0,"b"],["e",0,"chat",["hi"],3],["r",0,3,"ok"],["r",0,4,null,"failed"]]', cursor)).toEqual([7, 8, 9, 10, 11]);
    // the cursor carries on from one packet to the next
    expect(seqs('[["a",2],["m",0,{"x":1}],["b",0,"AQID"]]', cursor)).toEqual([-1, 12, 13]);
    expect(cursor.lastSeq).toBe(13);
  });

  it('let an explicit seq move the cursor anywhere, a resend of older messages included', () => {
    const cursor = { lastSeq: 0 };
    expect(seqs('[["m",5,"a"],["m",0,"b"],["m",3,"again"],["m",0,"and"]]', cursor)).toEqual([5, 6, 3, 4]);
  });

  it('refuse seq 0 before any explicit seq on the connection', () => {
    expect(() => decodePacket('[["m",0,"a"]]', { lastSeq: 0 })).toThrow(ProtocolError);
    expect(() => decodePacket('[["e",0,"chat",[]]]', { lastSeq: 0 })).toThrow(/seq 0 \(the next one\) before any explicit seq/);
  });

  it('refuse seq 0 where the transport has no cursor (HTTP transports)', () => {
    for (const text of ['[["m",0,"a"]]', '[["b",0,"AQID"]]', '[["e",0,"chat",[]]]', '[["r",0,1,"v"]]']) {
      expect(() => decodePacket(text)).toThrow(ProtocolError);
    }
  });

  it('still refuse a malformed seq with a cursor', () => {
    const cursor = { lastSeq: 4 };
    for (const text of ['[["m",-1,"a"]]', '[["m",1.5,"a"]]', '[["m","0","a"]]', '[["m",0]]', '[["b",0,7]]']) {
      expect(() => decodePacket(text, cursor)).toThrow(ProtocolError);
    }
  });

  it('build one packet text for an item however many connections send it', () => {
    const item = JSON.stringify({ text: 'to everyone' });
    const first = implicitPacket(item);
    expect(first).toBe('[' + frameText(0, item) + ']');
    expect(first).toBe('[["m",0,{"text":"to everyone"}]]');
    expect(implicitPacket(item)).toBe(first);
    expect(implicitPacket('e"chat",["hi"]')).toBe('[["e",0,"chat",["hi"]]]');
  });
});
