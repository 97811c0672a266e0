// Without the `redis` package (an optional peer dependency), the cluster option says how to install
// it: on the Server's `error` event, and in every cross-node broadcast's and request's rejection.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CHILD = fileURLToPath(new URL('../../support/no-redis-child.ts', import.meta.url));
const HOOKS = new URL('../../support/ts-child/register.mjs', import.meta.url).href;
const NO_REDIS = new URL('../../support/ts-child/no-redis.mjs', import.meta.url).href;

describe('the cluster option without the redis package', () => {
  it('reports a clear error and rejects cross-node broadcasts and requests', async () => {
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['--import', HOOKS, '--import', NO_REDIS, CHILD], { timeout: 20_000 }, (error, out, err) => {
        if (error) reject(new Error(String(error) + '\n' + err));
        else resolve(out);
      });
    });
    const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
    const message = 'ferry: the cluster option needs the redis package: npm install redis';
    expect(result).toEqual({
      errors: [{ code: 'ERR_FERRY_CLUSTER_NO_REDIS', message }],
      ready: 'ERR_FERRY_CLUSTER_NO_REDIS: ' + message,
      broadcast: 'ERR_FERRY_CLUSTER_NO_REDIS: ' + message,
      fetched: 'ERR_FERRY_CLUSTER_NO_REDIS: ' + message,
    });
  });
});
