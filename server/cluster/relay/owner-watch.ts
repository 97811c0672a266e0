import { MAX_RECONNECT_DELAY_MS, withTimeout, type RedisConnection } from '../redis-link.js';
import type { RelayCluster } from './http-relay.js';

/** How many owners found gone are remembered (`gone`). */
const GONE_CACHE_SIZE = 1024;

/**
 * Which owners of relayed exchanges are gone from the cluster: the relay's two questions about
 * presence, kept apart from the moving of bytes (http-relay.ts, ws-relay.ts).
 *
 * An owner is absent when it is out of the node registry, or listed but with nobody subscribed to
 * its relay channel (`PUBSUB NUMSUB`). The second is how a `kill -9` shows at once: the kernel
 * closes the dead process's connections, so Redis drops its subscription the moment it dies,
 * while its registry entry lives on until `nodeExpiry`. An owner is dead once it has been absent
 * for `grace` (a heartbeat, and at least twice the longest reconnect delay): a live node whose
 * connections are coming back after a Redis restart or a cut is listed and subscribed again by
 * then, and a Redis that has just restarted lists nobody until each node has refreshed its
 * presence.
 *
 * - `gone(owner)`, asked when a relayed request reached no subscriber: is the owner absent, and
 *   still absent `grace` later? A yes is remembered for three heartbeats, bounded: a flood
 *   of requests naming a node that is not there (forged `sid`s, or the clients of a dead node)
 *   costs one look, not two lookups and a heartbeat's wait each. Consulted only after a publish
 *   reached nobody, so a node that comes back under the same id is reached as soon as it
 *   subscribes.
 * - The watch: a relayed stream or WebSocket whose owner died (no goodbye) would stay open,
 *   silent, until the client's ping timeout. Once per heartbeat, the owners of the exchanges in
 *   flight are looked up; those absent at every look for `grace` are dead, and `onDead` cuts
 *   their exchanges. Looks never overlap, and a look that took longer than a heartbeat starts over:
 *   Redis was stalled (paused, busy), so every node's presence may have lapsed meanwhile, and
 *   looks queued behind the stall would otherwise run back to back, before the owners could
 *   refresh.
 */
export class OwnerWatch {
  readonly #cluster: RelayCluster;
  /** The longest one registry lookup may take, in ms. */
  readonly #lookupMs: number;
  readonly #inFlight: () => Iterable<string>;
  readonly #onDead: (owner: string) => void;
  readonly #goneUntil = new Map<string, number>();
  /** How long an owner must stay absent to be dead, in ms. */
  readonly #grace: number;
  /** Owners in flight found absent at every look since the time they map to. */
  #absentSince = new Map<string, number>();
  #looking = false;
  #timer: NodeJS.Timeout | null = null;

  /** `inFlight`: the owners of the exchanges open now; `onDead(owner)`: cut them, the owner died. */
  constructor(cluster: RelayCluster, lookupMs: number, inFlight: () => Iterable<string>, onDead: (owner: string) => void) {
    this.#cluster = cluster;
    this.#lookupMs = lookupMs;
    this.#inFlight = inFlight;
    this.#onDead = onDead;
    this.#grace = Math.max(cluster.options.heartbeatInterval, 2 * MAX_RECONNECT_DELAY_MS);
  }

  start(): void {
    this.#timer = setInterval(() => void this.#watch(), this.#cluster.options.heartbeatInterval);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }

  async gone(owner: string): Promise<boolean> {
    const known = this.#goneUntil.get(owner);
    if (known !== undefined && known > Date.now()) return true;
    const absent = async (): Promise<boolean> => {
      const found = await withTimeout(this.#absentOf([owner]), this.#lookupMs, () => new Error('timeout')).catch(() => null);
      return found !== null && found.has(owner);
    };
    if (!(await absent())) return false;
    await new Promise((resolve) => setTimeout(resolve, this.#grace).unref());
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
      this.#absentSince.clear();
      return;
    }
    const started = Date.now();
    const absent = await this.#absentOf([...owners]).catch(() => null);
    if (absent === null || Date.now() - started > this.#cluster.options.heartbeatInterval) {
      this.#absentSince.clear();
      return;
    }
    const since = new Map<string, number>();
    for (const owner of absent) {
      const from = this.#absentSince.get(owner) ?? started;
      // (a look a heartbeat after the first may start a few ms short of it: timers round)
      if (started - from >= this.#grace - 25) this.#onDead(owner);
      else since.set(owner, from);
    }
    this.#absentSince = since;
  }

  /** Which of `owners` are absent now: out of the registry, or with nobody on their relay channel. Throws when not connected. */
  async #absentOf(owners: string[]): Promise<Set<string>> {
    const parts = this.#cluster.relayParts;
    if (parts === null) throw new Error('not connected');
    const channels = owners.map((owner) => this.#cluster.options.prefix + ':relay:' + owner);
    const [live, subscribers] = await Promise.all([parts.registry.live(), subscriberCounts(parts.link.commands, channels)]);
    return new Set(owners.filter((owner, i) => !live.includes(owner) || subscribers[i] === 0));
  }
}

/** `PUBSUB NUMSUB`: how many connections are subscribed to each of `channels`, in order. */
async function subscriberCounts(connection: RedisConnection, channels: string[]): Promise<number[]> {
  const reply = await connection.sendCommand(['PUBSUB', 'NUMSUB', ...channels]);
  // a flat list: channel, count, channel, count… (anything else says nothing: not a reason to call a node dead)
  const flat = Array.isArray(reply) ? (reply as unknown[]) : [];
  const counts = channels.map((_, i) => Number(flat[i * 2 + 1]));
  if (flat.length !== channels.length * 2 || counts.some((n) => !Number.isInteger(n))) throw new Error('unexpected PUBSUB NUMSUB reply');
  return counts;
}
