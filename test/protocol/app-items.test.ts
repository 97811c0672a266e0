import { describe, expect, it } from 'vitest';
import {
  ProtocolError,
  ReliableChannel,
  answerItem,
  askedAckId,
  decodePacket,
  entryText,
  eventItem,
  failedAnswerItem,
  messageItem,
  type JsonValue,
} from '../../protocol/index.js';
import { AckTable, dispatchEvent, HANDLER_FAILED } from '../../protocol/event-dispatch.js';

describe('app items', () => {
  it('encode events and answers as the frame letter and the elements after seq', () => {
    expect(eventItem('chat', ['hi', 1])).toBe('e"chat",["hi",1]');
    expect(eventItem('chat', [], 7)).toBe('e"chat",[],7');
    expect(answerItem(7, { ok: true })).toBe('r7,{"ok":true}');
    expect(answerItem(7, undefined)).toBe('r7,null');
    expect(failedAnswerItem(7, 'no handler for "x"')).toBe('r7,null,"no handler for \\"x\\""');
    expect(failedAnswerItem(7, 'x'.repeat(5000))).toHaveLength('r7,null,""'.length + 1000);
    expect(messageItem({ a: 1 })).toBe('{"a":1}');
    const bytes = new Uint8Array([1, 2]);
    expect(messageItem(bytes)).toBe(bytes);
  });

  it('refuse reserved or invalid names, arguments JSON cannot carry and bad ack ids, with a TypeError', () => {
    for (const name of ['close', 'message', 'drain', 'newListener', '', 'n'.repeat(201)]) expect(() => eventItem(name, [])).toThrow(TypeError);
    expect(() => eventItem(5 as unknown as string, [])).toThrow(TypeError);
    expect(() => eventItem('x', [undefined as unknown as JsonValue])).toThrow(TypeError);
    expect(() => eventItem('x', [(() => 1) as unknown as JsonValue])).toThrow(TypeError);
    expect(() => eventItem('x', [{ b: new Uint8Array(1) } as unknown as JsonValue])).toThrow(TypeError);
    expect(() => eventItem('x', [], 0)).toThrow(TypeError);
    expect(() => eventItem('x', [], 2 ** 53)).toThrow(TypeError);
    expect(() => answerItem(1, { n: 1n } as unknown as JsonValue)).toThrow(TypeError);
    expect(() => messageItem(undefined as unknown as JsonValue)).toThrow(TypeError);
  });

  it('travel through a ReliableChannel as e and r frames, numbered with messages, and decode back', () => {
    const channel = new ReliableChannel();
    channel.push('first');
    channel.pushItem(eventItem('chat', ['hi'], 3));
    channel.pushItem(answerItem(9, [1, 2]));
    channel.pushItem(failedAnswerItem(10, 'the handler failed'));
    channel.pushItem(messageItem(new Uint8Array([255])));
    const texts = channel.takeUnwritten(1 << 20).map(entryText);
    expect(texts).toEqual(['["m",1,"first"]', '["e",2,"chat",["hi"],3]', '["r",3,9,[1,2]]', '["r",4,10,null,"the handler failed"]', '["b",5,"/w=="]']);
    expect(decodePacket('[' + texts.join(',') + ']')).toEqual([
      { type: 'message', seq: 1, data: 'first' },
      { type: 'event', seq: 2, name: 'chat', args: ['hi'], ackId: 3 },
      { type: 'answer', seq: 3, ackId: 9, value: [1, 2], error: null },
      { type: 'answer', seq: 4, ackId: 10, value: null, error: 'the handler failed' },
      { type: 'message', seq: 5, data: new Uint8Array([255]) },
    ]);
    expect(decodePacket('[["e",1,"chat",[]]]')).toEqual([{ type: 'event', seq: 1, name: 'chat', args: [], ackId: null }]);
  });

  it('the same item can go into many channels (a broadcast encodes once)', () => {
    const item = eventItem('news', ['x']);
    const a = new ReliableChannel();
    const b = new ReliableChannel();
    b.push('before');
    a.pushItem(item);
    b.pushItem(item);
    expect(a.takeUnwritten(1000).map(entryText)).toEqual(['["e",1,"news",["x"]]']);
    expect(b.takeUnwritten(1000).map(entryText)).toEqual(['["m",1,"before"]', '["e",2,"news",["x"]]']);
  });

  it('takeAckAfter counts events and answers as sequenced frames', () => {
    const channel = new ReliableChannel();
    expect(channel.takeAckAfter(decodePacket('[["m",1,1],["e",2,"x",[]],["r",3,1,null]]'))).toBe(3);
  });

  it.each([
    ['reserved name', '[["e",1,"open",[]]]'],
    ['name too long', `[["e",1,"${'n'.repeat(201)}",[]]]`],
    ['args not an array', '[["e",1,"x","a"]]'],
    ['ack id 0', '[["e",1,"x",[],0]]'],
    ['ack id unsafe', '[["e",1,"x",[],9007199254740992]]'],
    ['ack id null', '[["e",1,"x",[],null]]'],
    ['answer id missing', '[["r",1]]'],
    ['answer id negative', '[["r",1,-1,1]]'],
    ['failed answer with a value', '[["r",1,1,2,"why"]]'],
    ['reason too long', `[["r",1,1,null,"${'r'.repeat(1001)}"]]`],
    ['reason not a string', '[["r",1,1,null,{}]]'],
    ['seq 0', '[["r",0,1,1]]'],
  ])('a bad frame is a ProtocolError: %s', (_name, text) => {
    expect(() => decodePacket(text)).toThrow(ProtocolError);
  });
  it('a reason of exactly 1,000 characters is accepted', () => {
    expect(decodePacket(`[["r",1,1,null,"${'r'.repeat(1000)}"]]`)[0]).toMatchObject({ type: 'answer', error: 'r'.repeat(1000) });
  });
});

describe('dispatchEvent', () => {
  const run = (handlers: Array<(...args: never[]) => unknown>, ackId: number | null = 1) => {
    const answers: string[] = [];
    const errors: unknown[] = [];
    dispatchEvent(null, handlers, 'x', [2], ackId, (item) => answers.push(item), (e) => errors.push(e));
    return { answers, errors };
  };

  it('the first answer wins; later ones, and answers to an event that asked for none, are ignored', async () => {
    expect(run([() => 1, () => 2]).answers).toEqual(['r1,1']);
    expect(run([(n: number, ack: (v: unknown) => void) => void ack(n * 10), () => 3]).answers).toEqual(['r1,20']);
    expect(run([() => 1], null).answers).toEqual([]);
    const later = run([async () => 'later']);
    await Promise.resolve();
    expect(later.answers).toEqual(['r1,"later"']);
  });

  it('a throwing handler: the app error and a failed answer that hides its text', () => {
    const boom = new Error('secret');
    const { answers, errors } = run([
      () => {
        throw boom;
      },
    ]);
    expect(answers).toEqual(['r1,null,' + JSON.stringify(HANDLER_FAILED)]);
    expect(errors).toEqual([boom]);
  });

  it('no handler: a failed answer naming the event', () => {
    expect(run([]).answers).toEqual(['r1,null,"no handler for \\"x\\""']);
    expect(run([], null).answers).toEqual([]);
  });

  it('an answer JSON cannot carry is the app error, and the caller gets a failed answer', () => {
    const { answers, errors } = run([() => ({ n: 1n })]);
    expect(answers).toEqual(['r1,null,' + JSON.stringify(HANDLER_FAILED)]);
    expect(errors[0]).toBeInstanceOf(TypeError);
  });
});

describe('AckTable', () => {
  it('settles each id once and forgets it', () => {
    const table = new AckTable();
    const calls: string[] = [];
    const a = table.add(() => calls.push('a'));
    const b = table.add(() => calls.push('b'));
    expect([a, b]).toEqual([1, 2]);
    table.take(a)?.(null);
    expect(table.take(a)).toBeNull();
    expect(table.size).toBe(1);
    for (const settle of table.takeAll()) settle(new Error('ended'));
    expect(calls).toEqual(['a', 'b']);
    expect(table.size).toBe(0);
    expect(table.add(() => {})).toBe(3);
  });
});

describe('askedAckId', () => {
  it('reads the ack id of an event that asks for an answer, and nothing else', () => {
    expect(askedAckId(eventItem('q', [1, 'a,b', [2]], 7))).toBe(7);
    expect(askedAckId(eventItem('q', [1, 'a,b', [2]]))).toBeNull();
    expect(askedAckId(eventItem('q', []))).toBeNull();
    expect(askedAckId(answerItem(7, 'x'))).toBeNull();
    expect(askedAckId(messageItem('e,7') as string)).toBeNull();
    expect(askedAckId(new Uint8Array([1]))).toBeNull();
    expect(askedAckId(null)).toBeNull();
  });
});
