// Parent side of the benchmark's child processes: every server and load
// generator runs in a process of its own, started here and always killed here.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const live = new Set();

/** Kills every child process still running. Safe to call more than once. */
export function killAll() {
  for (const child of live) child.kill('SIGKILL');
  live.clear();
}

process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    killAll();
    process.exit(130);
  });
}

/**
 * Starts `script` (a path relative to bench/) in its own Node process and
 * resolves once it has reported ready. The result's `call(cmd, args)` sends a
 * request over IPC and resolves with the child's answer.
 */
export function spawnWorker(script, argv, { execArgv = [], raiseFdLimit = false, readyTimeoutMs = 15_000 } = {}) {
  const file = fileURLToPath(new URL(`../${script}`, import.meta.url));
  const options = { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv };
  // A process cannot raise its own fd limit from Node, so when asked the child
  // is started through a shell that raises the soft limit as far as allowed.
  const child = raiseFdLimit
    ? fork(file, argv, {
        ...options,
        execPath: '/bin/sh',
        execArgv: ['-c', 'ulimit -n 65535 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$0" "$@"', process.execPath, ...execArgv],
      })
    : fork(file, argv, options);
  live.add(child);
  return new Promise((resolve, reject) => {
    const pending = new Map();
    let nextId = 1;
    let exited = false;
    const timer = setTimeout(() => fail(new Error(`${script} ${argv[0] ?? ''}: not ready after ${readyTimeoutMs} ms`)), readyTimeoutMs);

    function fail(error) {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    }

    child.on('exit', (code, signal) => {
      exited = true;
      live.delete(child);
      const error = new Error(`${script} ${argv[0] ?? ''} exited (code ${code}, signal ${signal})`);
      for (const { reject: rejectCall, timer: callTimer } of pending.values()) {
        clearTimeout(callTimer);
        rejectCall(error);
      }
      pending.clear();
      fail(error);
    });

    child.on('message', (message) => {
      if (message.event === 'ready') {
        clearTimeout(timer);
        resolve(worker(message.data));
        return;
      }
      const call = pending.get(message.id);
      if (!call) return;
      pending.delete(message.id);
      clearTimeout(call.timer);
      if (message.ok) call.resolve(message.value);
      else call.reject(new Error(`${script} ${argv[0] ?? ''}: ${message.error}`));
    });

    function worker(ready) {
      return {
        ready,
        pid: child.pid,
        call(cmd, args = {}, timeoutMs = 60_000) {
          if (exited) return Promise.reject(new Error(`${script}: already exited`));
          const id = nextId++;
          return new Promise((resolveCall, rejectCall) => {
            const callTimer = setTimeout(() => {
              pending.delete(id);
              rejectCall(new Error(`${script} ${argv[0] ?? ''}: '${cmd}' timed out after ${timeoutMs} ms`));
            }, timeoutMs);
            pending.set(id, { resolve: resolveCall, reject: rejectCall, timer: callTimer });
            child.send({ id, cmd, args });
          });
        },
        kill() {
          if (!exited) child.kill('SIGKILL');
          live.delete(child);
        },
      };
    }
  });
}
