// `node --import ./no-redis.mjs`: the `redis` package cannot be found, as for an app that did not
// install it (the cluster option must say so instead of crashing).
import { register } from 'node:module';

register('./no-redis-hooks.mjs', import.meta.url);
