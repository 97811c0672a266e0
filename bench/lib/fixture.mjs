// Runner-side scaffolding for one measurement: a server process and some
// load processes that are always stopped and killed when it ends.
import { spawnWorker } from './spawn.mjs';
import { runLimited } from './limits.mjs';

/** Runs fn(server) with `target`'s server in its own process. */
export async function withServer(target, options, fn, { gc = false, raiseFdLimit = false } = {}) {
  const server = await spawnWorker('server-process.mjs', [target, JSON.stringify(options)], {
    execArgv: gc ? ['--expose-gc'] : [],
    raiseFdLimit,
  });
  try {
    return await fn(server);
  } finally {
    await server.call('stop', {}, 3_000).catch(() => {});
    server.kill();
  }
}

/** Runs fn(servers) with `count` server processes of `target`, each given `options` (the nodes of a cluster). */
export function withServers(target, options, count, fn, settings = {}, servers = []) {
  if (servers.length === count) return fn(servers);
  return withServer(target, options, (server) => withServers(target, options, count, fn, settings, [...servers, server]), settings);
}

/**
 * Runs fn(loads) with `count` load processes for `target` running
 * `scenario`; paramsFor(i) gives load process i its parameters.
 */
export async function withLoads(target, scenario, count, paramsFor, fn, { raiseFdLimit = false } = {}) {
  // Started a few at a time: dozens of Node processes booting at once on two
  // cores would miss their ready deadline.
  const started = await runLimited(count, 8, (i) =>
    spawnWorker('load-process.mjs', [target, scenario, JSON.stringify(paramsFor(i))], { raiseFdLimit }).then(
      (value) => ({ status: 'fulfilled', value }),
      (reason) => ({ status: 'rejected', reason }),
    ),
  );
  const loads = started.filter((s) => s.status === 'fulfilled').map((s) => s.value);
  try {
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
    return await fn(loads);
  } finally {
    for (const load of loads) load.kill();
  }
}

/** Calls `cmd` on every load process at once; resolves with all answers. */
export const callAll = (loads, cmd, args, timeoutMs) => Promise.all(loads.map((load) => load.call(cmd, args, timeoutMs)));

export const sum = (values) => values.reduce((a, b) => a + b, 0);
