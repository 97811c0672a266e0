// A Server with the cluster option in a process where the `redis` package is missing (started by
// test/server/cluster/cluster-no-redis.test.ts with ts-child/no-redis.mjs): prints, as one JSON
// line, what its `error` event got and how a broadcast and a cross-node request ended.
import { ClusterError, RedisAdapter, Server } from '../../server/index.js';

const ferry = new Server({ cluster: { redis: 'redis://127.0.0.1:1' } });
const errors: Array<{ code: string; message: string }> = [];
ferry.on('error', (error) => errors.push({ code: error instanceof ClusterError ? error.code : 'none', message: error.message }));
const outcome = (promise: void | Promise<unknown>): Promise<string> =>
  Promise.resolve(promise).then(
    () => 'resolved',
    (error: unknown) => (error instanceof ClusterError ? error.code + ': ' : '') + String((error as Error).message),
  );
const ready = await outcome((ferry.adapter as RedisAdapter).ready());
const broadcast = await outcome(ferry.send('hello'));
const fetched = await outcome(ferry.fetchSockets());
await ferry.close();
process.stdout.write(JSON.stringify({ errors, ready, broadcast, fetched }) + '\n');
