import { describe, expect, it } from 'vitest';
import { Emitter } from '../../client/emitter.js';
import { captureUncaught } from '../support/uncaught.js';

type Events = { tick: [n: number]; done: [] };

describe('Emitter (the client socket events)', () => {
  it('calls listeners in the order they were added, with the arguments and the emitter as this', () => {
    const emitter = new Emitter<Events>();
    const calls: string[] = [];
    let self: unknown = null;
    emitter.on('tick', (n) => calls.push('a' + n));
    emitter.on('tick', function (this: unknown, n) {
      self = this;
      calls.push('b' + n);
    });
    expect(emitter.fire('tick', 1)).toBe(true);
    expect(calls).toEqual(['a1', 'b1']);
    expect(self).toBe(emitter);
  });

  it('emit without listeners returns false', () => {
    expect(new Emitter<Events>().fire('done')).toBe(false);
  });

  it('once runs for one emit, even when it emits again from inside itself', () => {
    const emitter = new Emitter<Events>();
    const seen: number[] = [];
    emitter.once('tick', (n) => {
      seen.push(n);
      emitter.fire('tick', n + 1);
    });
    emitter.fire('tick', 1);
    emitter.fire('tick', 5);
    expect(seen).toEqual([1]);
  });

  it('off(event, fn) removes every registration of fn; off(event) the event; off() everything', () => {
    const emitter = new Emitter<Events>();
    const seen: string[] = [];
    const fn = (n: number) => seen.push('fn' + n);
    emitter.on('tick', fn).on('tick', fn).once('tick', fn);
    emitter.on('tick', (n) => seen.push('other' + n));
    emitter.off('tick', fn).fire('tick', 1);
    expect(seen).toEqual(['other1']);
    emitter.off('tick').fire('tick', 2);
    emitter.on('done', () => seen.push('done'));
    emitter.off().fire('done');
    expect(seen).toEqual(['other1']);
  });

  it('a listener added during an emit waits for the next; one removed during an emit still runs in it', () => {
    const emitter = new Emitter<Events>();
    const seen: string[] = [];
    const late = () => seen.push('late');
    const second = () => seen.push('second');
    emitter.on('done', () => {
      seen.push('first');
      emitter.on('done', late);
      emitter.off('done', second);
    });
    emitter.on('done', second);
    emitter.fire('done');
    expect(seen).toEqual(['first', 'second']);
    emitter.fire('done');
    expect(seen).toEqual(['first', 'second', 'first', 'late']);
  });

  it('an exception in a listener goes to the error listeners, not to the caller of emit, and the later listeners still run', () => {
    const emitter = new Emitter<Events & { error: [error: Error] }>();
    const boom = new Error('boom');
    const seen: string[] = [];
    const errors: Error[] = [];
    emitter.on('done', () => {
      throw boom;
    });
    emitter.on('done', () => seen.push('second'));
    emitter.on('error', (error) => errors.push(error));
    expect(() => emitter.fire('done')).not.toThrow();
    expect(seen).toEqual(['second']);
    expect(errors).toEqual([boom]);
    expect(errors[0]).toBe(boom);
  });

  it('with no error listener, or one that throws too, the exception is thrown again on its own, later', async () => {
    const boom = new Error('boom');
    const again = new Error('error listener bug');
    await captureUncaught(async (caught) => {
      const bare = new Emitter<Events>();
      bare.on('done', () => {
        throw boom;
      });
      expect(bare.fire('done')).toBe(true);
      const failing = new Emitter<Events & { error: [error: Error] }>();
      failing.on('done', () => {
        throw boom;
      });
      failing.on('error', () => {
        throw again;
      });
      failing.fire('done');
      expect(caught).toEqual([]);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(caught).toHaveLength(2);
      expect(caught[0]).toBe(boom);
      expect(caught[1]).toBe(again);
    });
  });
});
