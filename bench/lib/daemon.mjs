// Runner-side helpers for the external daemons some scenarios need (redis-server, nginx): finding
// the binary, a free port, a temp dir of their own, waiting for the port, and stopping them by pid
// (also when the runner exits early).
import { spawn } from 'node:child_process';
import { accessSync, chmodSync, constants, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { sleep } from './limits.mjs';

const running = new Set();

// a daemon left running would outlive the runner: kill every one on the way out
process.on('exit', () => {
  for (const child of running) killGroup(child.pid, 'SIGKILL');
});

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** `name` on PATH, else `fallback` when it is executable; null when neither is. */
export function findBinary(name, fallback) {
  const candidates = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, name)), fallback];
  for (const file of candidates) {
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return null;
}

/** A port of 127.0.0.1 free a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** A fresh temp dir (world-writable: nginx's workers may run as another user when started as root). */
export function tempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o777);
  return dir;
}

/** Whether a TCP connection to 127.0.0.1:`port` is accepted (and, with `probe`, answered as `probe.expect` says). */
function accepts(port, probe) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const done = (ok) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), 1_000);
    socket.once('connect', () => (probe ? socket.write(probe.send) : done(true)));
    socket.once('data', (data) => done(probe.expect(data.toString())));
    socket.once('error', () => done(false));
    socket.once('close', () => done(false));
  });
}

/**
 * Starts `binary args` in its own process group with its output in `dir`/`logFile` and resolves
 * { pid, log(), stop() } once `port` accepts (and answers `probe`, if given). stop() sends
 * SIGTERM to the group, then SIGKILL after a second, waits for the exit and removes `dir`.
 */
export async function startDaemon({ name, binary, args, dir, port, logFile, probe, startMs = 10_000 }) {
  const child = spawn(binary, args, { cwd: dir, detached: true, stdio: 'ignore' });
  running.add(child);
  let exited = child.exitCode !== null;
  const exit = new Promise((resolve) => child.once('exit', () => resolve((exited = true))));
  child.once('error', () => {});
  const log = () => {
    try {
      return readFileSync(join(dir, logFile), 'utf8').slice(-2_000);
    } catch {
      return '(no log)';
    }
  };
  const stop = async () => {
    if (!exited) {
      killGroup(child.pid, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), 1_000);
      await exit;
      clearTimeout(timer);
    }
    running.delete(child);
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + startMs;
  while (!(await accepts(port, probe))) {
    if (exited || Date.now() > deadline) {
      const why = exited ? 'exited at start' : `not accepting on port ${port} after ${startMs} ms`;
      const text = log();
      await stop();
      throw new Error(`${name} ${why}: ${text}`);
    }
    await sleep(20);
  }
  return { pid: child.pid, log, stop };
}
