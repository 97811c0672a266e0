// Three Ferry node processes behind a real nginx that balances round-robin (no ip_hash, no hash,
// no cookie), sharing one real redis-server (issue 14): a session's requests land on several nodes,
// and every message in both directions still arrives exactly once, in order, on every transport.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TransportName } from '../../../protocol/index.js';
import { missingBinaries, missingBinariesBanner } from '../../e2e/support/binaries.js';
import { NGINX_BINARY } from '../../e2e/support/paths/nginx.js';
import { closeAfterEach, connectClient, range, sequenceOf, waitFor } from '../../support/harness.js';
import { freshPrefix } from '../../support/cluster-nodes.js';
import { missingRedisBanner, redisServerMissing, startRedisServer, type RedisServer } from '../../support/redis-server.js';
import { startRoundRobinNginx, type RoundRobinNginx } from '../../support/round-robin-nginx.js';
import { startServerProcess, type ServerProcess } from '../../support/server-process-parent.js';
import { ALL_TRANSPORTS } from '../../support/transports.js';

const inCI = process.env.CI === 'true';
const noNginx = missingBinaries([{ path: NGINX_BINARY, debianPackage: 'nginx-light' }]);
const missing = redisServerMissing() || noNginx.length > 0;
if (redisServerMissing()) console.warn(missingRedisBanner());
if (noNginx.length > 0) console.warn(missingBinariesBanner(noNginx));

const track = closeAfterEach();
const MESSAGES = 200;
const BATCHES = 4;

describe.skipIf(missing && !inCI)('three nodes behind a round-robin nginx, no sticky sessions', () => {
  let redis: RedisServer;
  let nodes: ServerProcess[] = [];
  let nginx: RoundRobinNginx;

  beforeAll(async () => {
    if (missing) throw new Error('CI=true and redis-server or nginx is missing: install the Debian packages redis-server and nginx-light');
    redis = await startRedisServer();
    const prefix = freshPrefix();
    nodes = await Promise.all([0, 1, 2].map((i) => startServerProcess({ cluster: { redis: redis.url, prefix, nodeId: `node-${i}` } })));
    nginx = await startRoundRobinNginx(nodes.map((node) => node.port));
  }, 60_000);

  afterAll(async () => {
    await nginx?.stop();
    await Promise.all(nodes.map((node) => node.close()));
    await redis?.close();
  });

  it.each([...ALL_TRANSPORTS, 'default'].map((name): [string] => [name]))('%s: 200 messages each way arrive exactly once, in order', { timeout: 60_000 }, async (transport: string) => {
    // `default`: every transport allowed, so the session starts on polling and upgrades (its probe
    // lands on whichever node the balancer picks)
    const client = connectClient(nginx.origin, transport === 'default' ? {} : { transports: [transport as TransportName] });
    track({ close: async () => client.socket.close() });
    await waitFor(() => client.socket.id !== '', 'the session to open');
    // in batches, each after the last one's echoes: a session makes several requests, which a
    // round-robin balancer spreads over the nodes
    for (let batch = 0; batch < BATCHES; batch++) {
      const size = MESSAGES / BATCHES;
      for (let i = 1; i <= size; i++) client.socket.send({ n: batch * size + i });
      try {
        await waitFor(() => client.received.length >= (batch + 1) * size, `${(batch + 1) * size} echoes`, 20_000);
      } catch (error) {
        throw new Error(`${String(error)}: got ${client.received.length}, closes ${JSON.stringify(client.closes)}\n${nginx.log()}`);
      }
    }
    expect(sequenceOf(client.received)).toEqual(range(MESSAGES));
    expect(client.closes).toEqual([]);
    for (const node of nodes) expect(node.death()).toBeNull();
    if (transport !== 'websocket' && transport !== 'default') {
      // an HTTP transport's requests each went to the next node: the session was served by several
      const served = nginx.nodesBySession().get(client.socket.id);
      expect(served?.size ?? 0, `nodes that served ${client.socket.id}`).toBeGreaterThanOrEqual(2);
    }
  });
});
