// A multi-node deployment for the cluster scenarios: a target's server processes (with Ferry's
// `cluster` option on one Redis, each deployment under a prefix of its own) and nginx balancing
// round-robin in front of them. Everything is stopped by pid when the measurement ends, fails or
// times out.
import { withServers } from './fixture.mjs';
import { nginxBinary, startNginx } from './nginx.mjs';
import { redisBinary } from './redis.mjs';
import { TARGETS } from '../targets/index.mjs';

let deployments = 0;

/** Why a deployment cannot run here (redis-server or nginx missing), or null. */
export function deploymentMissing() {
  const missing = [
    redisBinary() ? null : 'redis-server (apt-get install redis-server)',
    nginxBinary() ? null : 'nginx (apt-get install nginx; /usr/sbin/nginx)',
  ].filter(Boolean);
  return missing.length ? `missing ${missing.join(' and ')}` : null;
}

/**
 * Runs fn({ port, nodes }) with `target`'s deployment: its nodes (with the cluster option, on Redis
 * `redisUrl`, when there are several or the target asks for it; each also given `serverOptions`)
 * and nginx in front of them on `port` (`nginxOptions`: see lib/nginx.mjs).
 */
export function withDeployment(target, redisUrl, fn, { serverOptions = {}, nginxOptions = {}, raiseFdLimit = false } = {}) {
  const { nodes: count, cluster = count > 1 } = TARGETS[target];
  const options = { ...serverOptions, ...(cluster ? { cluster: { redis: redisUrl, prefix: `ferry-bench-${process.pid}-${++deployments}` } } : {}) };
  return withServers(target, options, count, async (nodes) => {
    const nginx = await startNginx(nodes.map((node) => node.ready.port), nginxOptions);
    try {
      return await fn({ port: nginx.port, nodes });
    } finally {
      await nginx.stop();
    }
  }, { raiseFdLimit });
}
