// A TCP proxy that resets every connection 1–4 s after it opened, whatever is in flight.
// The lifetimes come from a seeded PRNG so a failing run can be replayed with the same
// seed (FERRY_E2E_SEED overrides the default).
import net from 'node:net';
import type { NetworkPath, RunningPath } from './network-path.js';
import { mulberry32 } from '../../../support/seeded-random.js';

export const DEFAULT_CUT_SEED = 0x5eed_f3a7;
const MIN_LIFETIME_MS = 1_000;
const MAX_LIFETIME_MS = 4_000;

export function cutSeed(): number {
  const fromEnv = Number.parseInt(process.env.FERRY_E2E_SEED ?? '', 10);
  return Number.isFinite(fromEnv) ? fromEnv : DEFAULT_CUT_SEED;
}

export const randomCut: NetworkPath = {
  name: 'random-cut',
  async start(appPort: number): Promise<RunningPath> {
    const seed = cutSeed();
    const random = mulberry32(seed);
    console.log(`[random-cut] PRNG seed ${seed} (replay with FERRY_E2E_SEED=${seed})`);
    const counters = { connections: 0, cuts: 0 };
    const live = new Set<net.Socket>();

    const server = net.createServer((client) => {
      counters.connections += 1;
      const upstream = net.connect(appPort, '127.0.0.1');
      live.add(client).add(upstream);
      const lifetime = MIN_LIFETIME_MS + Math.floor(random() * (MAX_LIFETIME_MS - MIN_LIFETIME_MS));
      const timer = setTimeout(() => {
        counters.cuts += 1;
        client.resetAndDestroy();
        upstream.resetAndDestroy();
      }, lifetime);
      const close = (): void => {
        clearTimeout(timer);
        live.delete(client);
        live.delete(upstream);
        client.destroy();
        upstream.destroy();
      };
      client.on('error', close).on('close', close);
      upstream.on('error', close).on('close', close);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('random-cut has no TCP address');
    return {
      pageOrigin: `http://127.0.0.1:${address.port}`,
      diagnostics: () => `random-cut seed ${seed}, counters ${JSON.stringify(counters)}`,
      counters: () => ({ ...counters }),
      async stop() {
        for (const socket of live) socket.destroy();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      },
    };
  },
};
