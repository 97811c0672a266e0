import type { NodeRegistry } from '../node-registry.js';
import { withTimeout } from '../redis-link.js';
import type { RelayCluster } from './http-relay.js';

/** How many owners found gone are remembered (`gone`). */
const GONE_CACHE_SIZE = 1024;

/**
 * Which owners of relayed exchanges are gone from the cluster: the relay's two questions about
 * presence, kept apart from the moving of bytes (http-relay.ts, ws-relay.ts).
 *
 * - `gone(owner)`, asked when a relayed request reached no subscriber: is the owner out of the
 *   node registry, and still out one heartbeat later? (A Redis that has just restarted holds no
 *   node until each has refreshed its presence, and a live owner's session must not be renewed
 *   for that.) A yes is remembered for three heartbeats, bounded: a flood of requests naming a
 *   node that is not there (forged `sid`s, or the clients of a dead node) costs one look, not two
 *   registry lookups and a heartbeat's wait each. Consulted only after a publish reached nobody,
 *   so a node that comes back under the same id is reached as soon as it subscribes.
 * - The watch: a relayed stream or WebSocket whose owner died (no goodbye) would stay open,
 *   silent, until the client's ping timeout. Once per heartbeat, the owners of the exchanges in
 *   flight are looked up; those out of the registry at two looks in a row are dead, and `onDead`
 *   cuts their exchanges. Looks never overlap, and a look that took longer than a heartbeat starts
 *   over: Redis was stalled (paused, busy), so every node's presence may have lapsed meanwhile,
 *   and looks queued behind the stall would otherwise run back to back, before the owners could
 *   refresh.
 */
export class OwnerWatch {
  readonly #cluster: RelayCluster;
  /** The longest one registry lookup may take, in ms. */
  readonly #lookupMs: number;
  readonly #inFlight: () => Iterable<string>;
  readonly #onDead: (owner: string) => void;
  readonly #goneUntil = new Map<string, number>();
  /** Owners in flight found out of the registry at the last look. */
  #absent = new Set<string>();
  #looking = false;
  #timer: NodeJS.Timeout | null = null;

  /** `inFlight`: the owners of the exchanges open now; `onDead(owner)`: cut them, the owner died. */
  constructor(cluster: RelayCluster, lookupMs: number, inFlight: () => Iterable<string>, onDead: (owner: string) => void) {
    this.#cluster = cluster;
    this.#lookupMs = lookupMs;
    this.#inFlight = inFlight;
    this.#onDead = onDead;
  }

  start(): void {
    this.#timer = setInterval(() => void this.#watch(), this.#cluster.options.heartbeatInterval);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }

  async gone(registry: NodeRegistry, owner: string): Promise<boolean> {
    const known = this.#goneUntil.get(owner);
    if (known !== undefined && known > Date.now()) return true;
    const absent = async (): Promise<boolean> => {
      const live = await withTimeout(registry.live(), this.#lookupMs, () => new Error('timeout')).catch(() => null);
      return live !== null && !live.includes(owner);
    };
    if (!(await absent())) return false;
    await new Promise((resolve) => setTimeout(resolve, this.#cluster.options.heartbeatInterval).unref());
    if (!(await absent())) return false;
    // bounded: the oldest answer goes first (a Map iterates in insertion order)
    this.#goneUntil.delete(owner);
    if (this.#goneUntil.size >= GONE_CACHE_SIZE) this.#goneUntil.delete(this.#goneUntil.keys().next().value as string);
    this.#goneUntil.set(owner, Date.now() + this.#cluster.options.heartbeatInterval * 3);
    return true;
  }

  async #watch(): Promise<void> {
    if (this.#looking) return;
    this.#looking = true;
    try {
      await this.#look();
    } finally {
      this.#looking = false;
    }
  }

  async #look(): Promise<void> {
    const owners = new Set(this.#inFlight());
    const parts = this.#cluster.relayParts;
    if (owners.size === 0 || parts === null) {
      this.#absent.clear();
      return;
    }
    const started = Date.now();
    const live = await parts.registry.live().catch(() => null);
    if (live === null || Date.now() - started > this.#cluster.options.heartbeatInterval) {
      this.#absent.clear();
      return;
    }
    const absent = new Set([...owners].filter((owner) => !live.includes(owner)));
    for (const owner of absent) if (this.#absent.has(owner)) this.#onDead(owner);
    this.#absent = absent;
  }
}
