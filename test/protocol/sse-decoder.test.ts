import { describe, expect, it } from 'vitest';
import { SseDecoder, sseEvent, ssePrelude, type SseEvent } from '../../protocol/index.js';
import { decodeAll, splits } from '../support/chunked.js';

/** Feeds `pieces` to a fresh decoder and returns every event. */
const decode = (pieces: string[]): SseEvent[] => decodeAll(new SseDecoder(), pieces);

const message = (data: string, id = ''): SseEvent => ({ type: 'message', data, id });

describe('SseDecoder', () => {
  it('decodes what the server writes, split at every boundary', () => {
    const stream = ssePrelude() + sseEvent('[]', '0') + sseEvent('[["m",1,"é 𝄞"]]', '1') + sseEvent('[["ping",1]]', '1');
    const expected = [message('[]', '0'), message('[["m",1,"é 𝄞"]]', '1'), message('[["ping",1]]', '1')];
    for (const pieces of splits(stream)) expect(decode(pieces)).toEqual(expected);
  });

  it('accepts CRLF, LF and CR line ends, a CRLF split across chunks included', () => {
    const stream = 'data: a\r\n\r\ndata: b\n\ndata: c\r\rdata: d\r\n\n';
    const expected = [message('a'), message('b'), message('c'), message('d')];
    for (const pieces of splits(stream)) expect(decode(pieces)).toEqual(expected);
  });

  it('joins multi-line data with LF', () => {
    expect(decode(['data: one\ndata\ndata:  three\n\n'])).toEqual([message('one\n\n three')]);
  });

  it('writes data with line breaks as several data lines that decode back', () => {
    expect(sseEvent('a\nb\r\nc', '7')).toBe('id: 7\ndata: a\ndata: b\ndata: c\n\n');
    expect(decode([sseEvent('a\nb\r\nc', '7')])).toEqual([message('a\nb\nc', '7')]);
  });

  it('ignores comments, unknown fields and retry', () => {
    expect(decode([':keep-alive\n\n: x\nretry: 10\nfoo: bar\ndata: kept\n\n'])).toEqual([message('kept')]);
  });

  it('drops one leading space of a value, no more, and takes a value without a space', () => {
    expect(decode(['data:x\n\ndata:  y\n\n'])).toEqual([message('x'), message(' y')]);
  });

  it('keeps the last id across events and ignores ids holding NUL', () => {
    const decoder = new SseDecoder();
    expect(decoder.push('id: 4\ndata: a\n\ndata: b\n\nid: 9\u00001\ndata: c\n\n')).toEqual([message('a', '4'), message('b', '4'), message('c', '4')]);
    expect(decoder.lastEventId).toBe('4');
    expect(decoder.push('id\ndata: d\n\n')).toEqual([message('d', '')]);
  });

  it('names the event type when the stream gives one, then resets it', () => {
    expect(decode(['event: ping\ndata: 1\n\ndata: 2\n\n'])).toEqual([{ type: 'ping', data: '1', id: '' }, message('2')]);
  });

  it('dispatches nothing for an event without data, and holds an unfinished event', () => {
    const decoder = new SseDecoder();
    expect(decoder.push('id: 3\n\nevent: x\n\ndata: partial\n')).toEqual([]);
    expect(decoder.lastEventId).toBe('3');
    expect(decoder.push('\n')).toEqual([message('partial', '3')]);
  });

  it('skips a byte order mark at the start of the stream only', () => {
    expect(decode(['\ufeff', 'data: a\n\n', '\ufeffdata: b\n\n'])).toEqual([message('a')]);
    expect(decode(['\ufeffdata: a\n\n'])).toEqual([message('a')]);
  });
});
