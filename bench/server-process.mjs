// One benchmark server in a process of its own (so its memory is its own).
// argv: target name, JSON server options (plus loopbackHosts: how many
// addresses to listen on). Answers: sessions, memory, loopDelay, now, stop,
// and the adapter's own commands (e.g. broadcast).
import net from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setImmediate as tick } from 'node:timers/promises';
import { serve, jsonArg } from './lib/worker.mjs';
import { now } from './lib/clock.mjs';
import { loadTarget, loopbackHost } from './targets/index.mjs';

const { spec, adapter } = await loadTarget(process.argv[2]);
const { loopbackHosts = 1, ...options } = jsonArg(3);
const server = await adapter.startServer({ mode: spec.mode, ...options });

// The same server on 127.0.0.2, .3, ...: connections accepted there are handed
// to the one HTTP server, so clients can spread over several "hosts".
const aliases = [];
for (let i = 1; i < loopbackHosts; i++) {
  const alias = net.createServer((socket) => server.httpServer.emit('connection', socket));
  await new Promise((resolve, reject) => alias.once('error', reject).listen(server.port, loopbackHost(i), resolve));
  aliases.push(alias);
}
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();

serve({
  ...server.commands,
  sessions: () => server.sessionCount(),
  now,
  async memory() {
    if (typeof globalThis.gc !== 'function') throw new Error('start the server with --expose-gc');
    for (let i = 0; i < 4; i++) {
      globalThis.gc();
      await tick();
    }
    return process.memoryUsage();
  },
  /** Event-loop delay (ms) since the last call: how late timers such as heartbeats fire. */
  loopDelay() {
    const delay = { p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 };
    loop.reset();
    return delay;
  },
  async stop() {
    for (const alias of aliases) alias.close();
    await server.close();
    setTimeout(() => process.exit(0), 10);
    return true;
  },
}, { port: server.port });
