import { MAX_RECONNECT_DELAY_MS, withTimeout, type RedisConnection } from '../redis-link.js';
import type { RelayCluster } from './http-relay.js';

/** How many owners found gone are remembered (`gone`). */
const GONE_CACHE_SIZE = 1024;

/**
 * Which owners of relayed exchanges are gone from the cluster: the relay's two questions about
 * presence, kept apart from the moving of bytes (http-relay.ts, ws-relay.ts).
 *
 * An owner is unsubscribed when nobody is subscribed to its relay channel (`PUBSUB NUMSUB`): that
 * is how a `kill -9` shows at once, since the kernel closes the dead process's connections and
 * Redis drops its subscription the moment it dies, while its registry entry lives on until
 * `nodeExpiry`. An unsubscribed owner is dead once it has stayed so for `grace` (a heartbeat, and
 * at least twice the longest reconnect delay): a live node whose connections are coming back after
 * a Redis restart or a cut is subscribed again by then. An owner that is still subscribed but out
 * of the registry is only late: an overloaded node (its event loop seconds behind, its refresh
 * queued behind its own relay traffic) lets its presence lapse for a moment while it serves its
 * sessions, and calling it dead would renew every one of them, which adds to the load. Such an
 * owner is dead only after `grace` + `nodeExpiry` out of the registry (a hung process keeps its
 * connections: that is how it is found). A Redis that has just restarted lists nobody until each
 * node has refreshed its presence, and has nobody subscribed until each has resubscribed.
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
  /** How long an owner must stay unsubscribed to be dead, in ms. */
  readonly #grace: number;
  /** How long a subscribed owner must stay out of the registry to be dead, in ms. */
  readonly #lateGrace: number;
  /** Owners in flight found absent (either way) at every look since the time they map to, and unsubscribed at every look since. */
  #absentSince = new Map<string, { absent: number; unsubscribed: number | null }>();
  #looking = false;
  #timer: NodeJS.Timeout | null = null;

  /** `inFlight`: the owners of the exchanges open now; `onDead(owner)`: cut them, the owner died. */
  constructor(cluster: RelayCluster, lookupMs: number, inFlight: () => Iterable<string>, onDead: (owner: string) => void) {
    this.#cluster = cluster;
    this.#lookupMs = lookupMs;
    this.#inFlight = inFlight;
    this.#onDead = onDead;
    this.#grace = Math.max(cluster.options.heartbeatInterval, 2 * MAX_RECONNECT_DELAY_MS);
    this.#lateGrace = this.#grace + cluster.options.nodeExpiry;
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
    // (asked after a publish reached nobody: the owner was unsubscribed a moment ago)
    const unsubscribed = async (): Promise<boolean> => {
      const found = await withTimeout(this.#absentOf([owner]), this.#lookupMs, () => new Error('timeout')).catch(() => null);
      return found !== null && found.get(owner) === 'unsubscribed';
    };
    if (!(await unsubscribed())) return false;
    await new Promise((resolve) => setTimeout(resolve, this.#grace).unref());
    if (!(await unsubscribed())) return false;
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
    const since = new Map<string, { absent: number; unsubscribed: number | null }>();
    for (const [owner, how] of absent) {
      const before = this.#absentSince.get(owner);
      const from = { absent: before?.absent ?? started, unsubscribed: how === 'unsubscribed' ? (before?.unsubscribed ?? started) : null };
      // (a look a heartbeat after the first may start a few ms short of it: timers round)
      const dead = (from.unsubscribed !== null && started - from.unsubscribed >= this.#grace - 25) || started - from.absent >= this.#lateGrace - 25;
      if (dead) this.#onDead(owner);
      else since.set(owner, from);
    }
    this.#absentSince = since;
  }

  /**
   * Which of `owners` are absent now, and how: 'unsubscribed' (nobody on the relay channel), or
   * 'unlisted' (subscribed, but out of the registry). Throws when not connected.
   */
  async #absentOf(owners: string[]): Promise<Map<string, 'unsubscribed' | 'unlisted'>> {
    const parts = this.#cluster.relayParts;
    if (parts === null) throw new Error('not connected');
    const channels = owners.map((owner) => this.#cluster.options.prefix + ':relay:' + owner);
    const [live, subscribers] = await Promise.all([parts.registry.live(), subscriberCounts(parts.link.commands, channels)]);
    const absent = new Map<string, 'unsubscribed' | 'unlisted'>();
    owners.forEach((owner, i) => {
      if (subscribers[i] === 0) absent.set(owner, 'unsubscribed');
      else if (!live.includes(owner)) absent.set(owner, 'unlisted');
    });
    return absent;
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
