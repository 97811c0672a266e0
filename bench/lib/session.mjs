// Promise-shaped sessions over any target's client adapter, for the load
// processes: open() resolves once the session is open, roundTrip() once the
// next message comes back.
import { loopbackHost } from '../targets/index.mjs';

/**
 * Returns open(timeoutMs) for `adapter` (a targets/*.mjs module) on `port`,
 * spreading sessions round-robin over `hosts` loopback addresses.
 */
export function connector(adapter, port, mode, hosts = 1) {
  let opened = 0;
  return function open(timeoutMs = 15_000) {
    const host = loopbackHost(opened++ % hosts);
    return new Promise((resolve, reject) => {
      let opened = false;
      const session = { onmessage: () => {}, onclose: () => {}, closed: null };
      const timer = setTimeout(() => {
        reject(new Error(`open timed out after ${timeoutMs} ms`));
        handle.close();
      }, timeoutMs);
      const handle = adapter.connect(port, {
        open() {
          opened = true;
          clearTimeout(timer);
          resolve(session);
        },
        message: (data) => session.onmessage(data),
        close(reason) {
          session.closed = reason ?? 'closed';
          clearTimeout(timer);
          if (opened) session.onclose(session.closed);
          else reject(new Error(`closed before open: ${session.closed}`));
        },
      }, { mode, host });
      session.send = (data) => handle.send(data);
      session.close = () => handle.close();
      // an acknowledged event, where the adapter has them (scenarios/ackrtt.mjs)
      session.emitWithAck = (event, ...args) => handle.emitWithAck(event, ...args);
    });
  };
}

/** Sends `data` and resolves with the next message, or rejects on close or timeout. */
export function roundTrip(session, data, timeoutMs = 15_000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no reply after ${timeoutMs} ms`)), timeoutMs);
    session.onmessage = (reply) => {
      clearTimeout(timer);
      session.onmessage = () => {};
      resolve(reply);
    };
    session.onclose = (reason) => {
      clearTimeout(timer);
      reject(new Error(`closed while waiting for a reply: ${reason}`));
    };
    session.send(data);
  });
}
