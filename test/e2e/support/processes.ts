// Child processes (squid, nginx) run in their own process group so that stopping one
// also stops every worker it forked. A registry kills any group still alive when the
// test process exits, so a crashed run leaves no proxy behind.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const OUTPUT_LIMIT = 16_384;
const liveGroups = new Set<number>();
const liveTempDirs = new Set<string>();

process.on('exit', () => {
  for (const pid of liveGroups) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const path of liveTempDirs) rmSync(path, { recursive: true, force: true });
});

export interface Daemon {
  readonly name: string;
  /** Resolves when the process has exited; never rejects. */
  readonly exited: Promise<number | null>;
  /** Last few kilobytes of stdout and stderr, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

export function startDaemon(name: string, command: string, args: readonly string[], cwd: string, env?: NodeJS.ProcessEnv): Daemon {
  const child = spawn(command, args, { cwd, env: env ?? process.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const pid = child.pid;
  if (pid !== undefined) liveGroups.add(pid);
  const exited = new Promise<number | null>((resolve) => {
    child.once('error', (error) => {
      collect(Buffer.from(`spawn failed: ${error.message}\n`));
      resolve(null);
    });
    child.once('exit', (code) => resolve(code));
  }).finally(() => {
    if (pid !== undefined) liveGroups.delete(pid);
  });

  return {
    name,
    exited,
    output: () => output,
    async stop() {
      if (pid === undefined || !liveGroups.has(pid)) return;
      signalGroup(pid, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
      signalGroup(pid, 'SIGKILL'); // workers that outlived their master
    },
  };
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is empty
  }
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

/** Waits until 127.0.0.1:port accepts connections, failing early if the daemon dies. */
export async function waitForPort(port: number, daemon: Daemon, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let dead = false;
  void daemon.exited.then(() => {
    dead = true;
  });
  while (Date.now() < deadline) {
    if (dead) throw new Error(`${daemon.name} exited during start-up:\n${daemon.output()}`);
    if (await canConnect(port)) return;
    await sleep(100);
  }
  throw new Error(`${daemon.name} did not listen on ${port} within ${timeoutMs} ms:\n${daemon.output()}`);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface TempDir {
  readonly path: string;
  remove(): void;
}

export function makeTempDir(prefix: string): TempDir {
  const path = mkdtempSync(join(tmpdir(), `ferry-e2e-${prefix}-`));
  liveTempDirs.add(path);
  return {
    path,
    remove: () => {
      liveTempDirs.delete(path);
      rmSync(path, { recursive: true, force: true });
    },
  };
}
