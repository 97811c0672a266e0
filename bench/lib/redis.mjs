// A real redis-server for the cluster scenario (the .mjs twin of test/support/redis-server.ts): on a
// free port of 127.0.0.1, in its own temp dir, nothing persisted, stopped by its pid.
import { join } from 'node:path';
import { findBinary, freePort, startDaemon, tempDir } from './daemon.mjs';

/** redis-server from PATH, else /usr/bin/redis-server (Debian package `redis-server`); null if neither. */
export const redisBinary = () => findBinary('redis-server', '/usr/bin/redis-server');

/** Starts redis-server; resolves { url, port, stop() }. */
export async function startRedis() {
  const binary = redisBinary();
  if (!binary) throw new Error('redis-server is missing (apt-get install redis-server)');
  const dir = tempDir('ferry-bench-redis-');
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--logfile', join(dir, 'redis.log')];
  const daemon = await startDaemon({
    name: 'redis-server',
    binary,
    args,
    dir,
    port,
    logFile: 'redis.log',
    // loaded and taking commands, not only listening
    probe: { send: 'PING\r\n', expect: (reply) => reply.startsWith('+PONG') },
  });
  return { url: `redis://127.0.0.1:${port}`, port, stop: daemon.stop };
}
