// Child processes (squid, nginx) run in their own process group so that stopping one
// also stops every worker it forked. A registry kills any group still alive when the
// test process exits, so a crashed run leaves no proxy behind.
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  /** SIGKILL, as a crash would end it: no goodbye to anyone. */
  kill(): Promise<void>;
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
    async kill() {
      if (pid === undefined || !liveGroups.has(pid)) return;
      signalGroup(pid, 'SIGKILL');
      await exited;
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

/** What a daemon started from its own config file needs. */
export interface ConfiguredDaemonSpec {
  /** For error messages. */
  readonly name: string;
  /** Names the temp directory. */
  readonly tempPrefix: string;
  readonly binary: string;
  /** File name of the config inside the temp directory. */
  readonly configFile: string;
  /** The config text, for a daemon that keeps all its files in `dir` and listens on 127.0.0.1:`port`. */
  config(dir: string, port: number): string;
  /** Command-line arguments, given the temp directory and the config file's path. */
  args(dir: string, configPath: string): string[];
  /** The daemon's environment, given the temp directory (default: this process's). */
  env?(dir: string): NodeJS.ProcessEnv;
}

export interface ConfiguredDaemon {
  /** The temp directory holding the config, pid file and logs. */
  readonly dir: string;
  readonly port: number;
  /** A file in `dir` (a log), or '' while it does not exist. */
  read(file: string): string;
  /** Stops the daemon's process group and removes its directory. */
  stop(): Promise<void>;
}

/**
 * Writes the config into a fresh temp directory that any user may write (daemons started as root
 * drop to an unprivileged user before writing logs), starts the daemon on a free port and waits
 * until it listens; on failure, stops it and removes the directory.
 */
export async function startConfiguredDaemon(spec: ConfiguredDaemonSpec): Promise<ConfiguredDaemon> {
  const dir = makeTempDir(spec.tempPrefix);
  chmodSync(dir.path, 0o777);
  const port = await freePort();
  const configPath = join(dir.path, spec.configFile);
  writeFileSync(configPath, spec.config(dir.path, port));
  const daemon = startDaemon(spec.name, spec.binary, spec.args(dir.path, configPath), dir.path, spec.env?.(dir.path));
  const stop = async (): Promise<void> => {
    await daemon.stop();
    dir.remove();
  };
  try {
    await waitForPort(port, daemon);
  } catch (error) {
    await stop();
    throw error;
  }
  const read = (file: string): string => {
    try {
      return readFileSync(join(dir.path, file), 'utf8');
    } catch {
      return '';
    }
  };
  return { dir: dir.path, port, read, stop };
}
