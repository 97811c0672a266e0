import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ServerOptions } from '../../server/index.js';

export interface ServerStats {
  rss: number;
  heapUsed: number;
  sessions: number;
}

/** The parent's handle on server-process.ts. */
export interface ServerProcess {
  port: number;
  origin: string;
  child: ChildProcess;
  /** Exit code or signal once the process has died; null while it is alive. */
  death(): string | null;
  /** The last 8 KiB of the process's stderr: an uncaught exception lands here. */
  stderr(): string;
  stats(): Promise<ServerStats>;
  /** `ferry.close()` in the child, then its exit (a graceful stop, as a deploy does). */
  shutdown(): Promise<void>;
  /** SIGKILL, and its exit. */
  close(): Promise<void>;
}

const ENTRY = fileURLToPath(new URL('./server-process.ts', import.meta.url));
const HOOKS = new URL('./ts-child/register.mjs', import.meta.url).href;

/**
 * Starts an echo server with `options` in a child process (TypeScript sources, no build needed).
 * With `page`, the server also answers `GET /page` with that HTML (for a browser test).
 */
export function startServerProcess(options: ServerOptions, execArgv: string[] = [], page?: string): Promise<ServerProcess> {
  const child = fork(ENTRY, page === undefined ? [JSON.stringify(options)] : [JSON.stringify(options), page], { execArgv: ['--import', HOOKS, ...execArgv], stdio: ['ignore', 'inherit', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-8192)));
  let death: string | null = null;
  const exited = new Promise<void>((resolve) => child.once('exit', (code, signal) => {
    death = `exit code ${code}, signal ${signal}`;
    resolve();
  }));
  let nextId = 1;
  const pending = new Map<number, (stats: ServerStats) => void>();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the server process did not start: ' + stderr)), 15_000);
    void exited.then(() => reject(new Error(`the server process exited (${death}): ${stderr}`)));
    child.on('message', (message: { type: string; id?: number; port?: number } & ServerStats) => {
      if (message.type === 'stats' && message.id !== undefined) pending.get(message.id)?.(message);
      if (message.type !== 'ready' || message.port === undefined) return;
      clearTimeout(timer);
      const port = message.port;
      resolve({
        port,
        origin: `http://127.0.0.1:${port}`,
        child,
        death: () => death,
        stderr: () => stderr,
        stats: () => new Promise((done) => {
          const id = nextId++;
          pending.set(id, (stats) => { pending.delete(id); done(stats); });
          child.send({ type: 'stats', id });
        }),
        shutdown: async () => {
          if (death === null) child.send({ type: 'shutdown' });
          await exited;
        },
        close: async () => {
          if (death === null) child.kill('SIGKILL');
          await exited;
        },
      });
    });
  });
}
