// A real redis-server for the cluster tests: on a free port of 127.0.0.1, its own temp dir, stopped
// by its pid. Without the binary the cluster suites skip LOUDLY, and under CI=true they fail.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

/** redis-server from PATH, else /usr/bin/redis-server (Debian package `redis-server`). */
export const REDIS_SERVER_BINARY = findBinary('redis-server') ?? '/usr/bin/redis-server';

export function redisServerMissing(): boolean {
  try {
    accessSync(REDIS_SERVER_BINARY, constants.X_OK);
    return false;
  } catch {
    return true;
  }
}

export function missingRedisBanner(): string {
  const rule = '!'.repeat(78);
  return [
    rule,
    `!!  Ferry cluster tests: ${REDIS_SERVER_BINARY} is missing: install the Debian package redis-server`,
    '!!  Fix:  apt-get update && apt-get install -y redis-server',
    '!!  Outside CI the cluster suite is SKIPPED; with CI=true it FAILS.',
    rule,
  ].join('\n');
}

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Starts it again on the same port and dir (after `kill`). */
  start(): Promise<void>;
  /** SIGKILL, and waits for the process to exit. */
  kill(): Promise<void>;
  /** Stops it (SIGKILL) and removes its dir; safe to call more than once. */
  close(): Promise<void>;
}

/**
 * Starts redis-server. `extraArgs` go after the defaults (e.g. `--appendonly yes --appendfsync
 * always` to keep what it acknowledged across a SIGKILL).
 */
export async function startRedisServer(extraArgs: readonly string[] = []): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-redis-'));
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--logfile', join(dir, 'redis.log'), ...extraArgs];
  let child: ChildProcess | null = null;
  let closed = false;
  const start = async (): Promise<void> => {
    const proc = spawn(REDIS_SERVER_BINARY, args, { stdio: 'ignore' });
    child = proc;
    const deadline = Date.now() + 10_000;
    while (!(await accepts(port))) {
      if (proc.exitCode !== null) throw new Error('redis-server exited at start: ' + readLog(dir));
      if (Date.now() > deadline) throw new Error('redis-server did not start: ' + readLog(dir));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const kill = async (): Promise<void> => {
    const proc = child;
    child = null;
    if (proc === null || proc.exitCode !== null || proc.pid === undefined) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    process.kill(proc.pid, 'SIGKILL');
    await exited;
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    start,
    kill,
    async close() {
      if (closed) return;
      closed = true;
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Whether a PING on `port` is answered: loaded and accepting commands. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), 1_000);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
    socket.once('error', () => done(false));
    socket.once('close', () => done(false));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

function readLog(dir: string): string {
  try {
    return readFileSync(join(dir, 'redis.log'), 'utf8').slice(-2000);
  } catch {
    return '(no log)';
  }
}

function findBinary(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not here
    }
  }
  return null;
}

/** Whether the suites that need redis-server run: it is installed, or CI=true (where they fail without it). */
export const REDIS_SUITES_RUN = !redisServerMissing() || process.env.CI === 'true';
if (redisServerMissing()) console.warn(missingRedisBanner());

/**
 * Called inside a `describe.runIf(REDIS_SUITES_RUN)`: a redis-server of the suite's own, started
 * before its tests (failing them, under CI=true, when the binary is missing) and stopped after.
 * The object is the server once it has started.
 */
export function suiteRedisServer(extraArgs: readonly string[] = []): RedisServer {
  let server: RedisServer | undefined;
  beforeAll(async () => {
    if (redisServerMissing()) throw new Error(`CI=true and redis-server is missing:\n${missingRedisBanner()}`);
    server = await startRedisServer(extraArgs);
  });
  afterAll(async () => {
    await server?.close();
  });
  const current = (): RedisServer => {
    if (server === undefined) throw new Error('the suite redis-server has not started');
    return server;
  };
  return {
    get port() {
      return current().port;
    },
    get url() {
      return current().url;
    },
    start: () => current().start(),
    kill: () => current().kill(),
    close: () => current().close(),
  };
}
