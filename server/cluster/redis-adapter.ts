import { randomBytes } from 'node:crypto';
import type { AppItem, JsonValue } from '../../protocol/index.js';
import type { BroadcastAnswers } from '../rooms/acked-broadcast.js';
import type { AdapterHost, BroadcastTarget, Room, RoomAdapter, RoomMember } from '../rooms/adapter.js';
import { MemoryAdapter } from '../rooms/memory-adapter.js';
import { describeLocal, disconnectLocal, joinLocal, leaveLocal, type FetchedSockets, type NodesReply, type RemoteSocketInfo } from '../rooms/socket-operations.js';
import { ClusterError } from './cluster-error.js';
import { resolveClusterOptions, type ClusterOptions, type ResolvedClusterOptions } from './cluster-options.js';
import { NodeRegistry } from './node-registry.js';
import { NodeRequests, type NodeReplies } from './node-requests.js';
import { makeRedisLink, withTimeout, type RedisLink } from './redis-link.js';
import { entryBytes, entryFields, isNameList, itemProblem, parseTarget, type StreamEntry } from './stream-entry.js';
import { StreamPublisher } from './stream-publisher.js';
import { StreamReader } from './stream-reader.js';

/** How much longer than an acknowledged broadcast's own timeout a node's reply is waited for, in ms. */
const ACK_REPLY_GRACE_MS = 1_000;
/** How long a closing node waits for its broadcasts to reach Redis, and for Redis to forget it, in ms. */
const CLOSE_WAIT_MS = 2_000;

/**
 * Rooms and broadcast across the nodes of one Redis (issue 14), made by the `cluster` option.
 * Membership stays local (a composed MemoryAdapter: joins cost no round trip); a broadcast is
 * delivered here at once, then appended to the stream `{prefix}:broadcast`, which every node reads
 * and resolves against its own members (server/cluster/stream-*.ts). Requests that need every
 * node's answer (acknowledged broadcasts, `fetchSockets`, `socketsJoin`, …) go over pub/sub to the
 * nodes of the registry `{prefix}:nodes` and name the nodes that did not answer in time.
 *
 * `broadcast` returns a Promise: it resolves when Redis has the broadcast, and rejects
 * (ERR_FERRY_CLUSTER_UNAVAILABLE) when the other nodes will never get it, the local delivery
 * having happened. What goes wrong without a caller (Redis lost, a gap, bad input from another
 * process) goes to the Server's `error` event as a ClusterError.
 */
export class RedisAdapter implements RoomAdapter {
  readonly options: ResolvedClusterOptions;
  readonly nodeId: string;
  readonly #local: MemoryAdapter;
  /** This adapter's run: the `run` field of its stream entries. */
  readonly #run = randomBytes(9).toString('base64url');
  #seq = 0;
  readonly #publisher: StreamPublisher;
  #host: AdapterHost | null = null;
  #link: RedisLink | null = null;
  #reader: StreamReader | null = null;
  #registry: NodeRegistry | null = null;
  #requests: NodeRequests | null = null;
  #ready: Promise<void> = Promise.resolve();
  #closed = false;
  /** Set while a connection is down after its loss was reported: one report per outage. */
  #outage = false;
  /** Broadcasts that will never reach the other nodes, not reported yet (one report per tick). */
  #undelivered = 0;
  /** Run once connected, before this node enters the registry (`whenConnected`). */
  readonly #connectedTasks: Array<(link: RedisLink) => Promise<void>> = [];

  /** Made by the `cluster` option; `new RedisAdapter({ redis })` for the `adapter` option is the same. Throws for bad options. */
  constructor(options: ClusterOptions) {
    const resolved = (this.options = resolveClusterOptions(options));
    this.nodeId = resolved.nodeId;
    this.#local = new MemoryAdapter({ nodeId: resolved.nodeId });
    this.#publisher = new StreamPublisher(resolved);
  }

  /** Resolves once this node is connected, reads the stream, takes requests and is in the registry; rejects when it never will (no `redis` package, closed first). */
  ready(): Promise<void> {
    return this.#ready;
  }

  /** Whether this node's three Redis connections are up now (for health checks). */
  get connected(): boolean {
    const link = this.#link;
    return link !== null && !this.#closed && link.commands.isReady && link.reader.isReady && link.subscriber.isReady;
  }

  /** Bytes of broadcasts waiting for Redis now (at most `maxQueuedBytes`). */
  get queuedBytes(): number {
    return this.#publisher.queuedBytes;
  }

  /**
   * @internal The Redis connections and the node registry, once connected (null before, and
   * after `close`): for the request relay of server/cluster/relay/, which shares them.
   */
  get relayParts(): { readonly link: RedisLink; readonly registry: NodeRegistry } | null {
    if (this.#closed || this.#link === null || this.#registry === null) return null;
    return { link: this.#link, registry: this.#registry };
  }

  /** @internal Runs `task` once connected, before this node enters the registry (the request relay subscribes there); `ready()` waits for it. Call before it has connected (in the tick of `attach` at the latest). */
  whenConnected(task: (link: RedisLink) => Promise<void>): void {
    this.#connectedTasks.push(task);
  }

  attach(host: AdapterHost): void {
    this.#local.attach(host);
    this.#host = host;
    this.#ready = this.#start(host).catch((error: unknown) => {
      const failure = error instanceof Error ? error : new Error(String(error));
      if (!this.#closed) {
        // nothing will reach the other nodes: every broadcast rejects from now on, loudly
        this.#publisher.fail(failure);
        host.error(failure);
      }
      throw failure;
    });
    this.#ready.catch(() => {}); // reported through the Server's `error` event; `ready()` rejects too
  }

  join(member: RoomMember, rooms: readonly Room[]): void {
    this.#local.join(member, rooms);
  }

  leave(member: RoomMember, room: Room): void {
    this.#local.leave(member, room);
  }

  leaveAll(member: RoomMember): void {
    this.#local.leaveAll(member);
  }

  roomsOf(member: RoomMember): ReadonlySet<Room> {
    return this.#local.roomsOf(member);
  }

  memberIds(target: BroadcastTarget): string[] {
    return this.#local.memberIds(target);
  }

  broadcast(item: AppItem, target: BroadcastTarget): Promise<void> {
    this.#local.broadcast(item, target);
    const entry: StreamEntry = { node: this.nodeId, run: this.#run, seq: ++this.#seq, target: plainTarget(target), item };
    const fields = entryFields(entry);
    const key = this.options.prefix + ':broadcast';
    const args = ['XADD', key, 'MAXLEN', '~', String(this.options.streamMaxLen), '*', ...fields];
    const published = this.#publisher.publish(args, entryBytes(fields));
    // the caller may await it; whether or not it does, the loss is reported (and the rejection
    // never becomes an unhandled one that would end the process)
    published.catch((error: unknown) => this.#lostBroadcast(error));
    return published;
  }

  /**
   * A broadcast reached this node only. Reported through the Server's `error` event, the
   * broadcasts of one tick together, so an outage that drops many makes one report per tick,
   * not one per broadcast, and none goes unsaid.
   */
  #lostBroadcast(error: unknown): void {
    if (this.#closed) return;
    if (this.#undelivered++ > 0) return;
    setImmediate(() => {
      const count = this.#undelivered;
      this.#undelivered = 0;
      const why = error instanceof Error ? error.message : String(error);
      this.#host?.error(new ClusterError('ERR_FERRY_CLUSTER_UNDELIVERED', `ferry: ${count} broadcast${count === 1 ? '' : 's'} reached this node only, never the other nodes: ${why}`, { cause: error }));
    });
  }

  async broadcastWithAck(item: string, target: BroadcastTarget, timeoutMs: number): Promise<BroadcastAnswers> {
    const local = this.#local.broadcastWithAck(item, target, timeoutMs);
    const remoteTimeout = timeoutMs > 0 ? timeoutMs : this.options.requestTimeout;
    const remote = this.#ask('ask', { target: plainTarget(target), item, timeout: remoteTimeout }, remoteTimeout + ACK_REPLY_GRACE_MS);
    const [mine, others] = await Promise.all([local, remote]);
    const result: BroadcastAnswers = { answers: [...mine.answers], missing: [...mine.missing], missingNodes: [...others.missingNodes] };
    for (const [node, reply] of others.replies) {
      const answers = asAnswers(reply);
      if (answers === null) {
        this.#badReply(node, 'ask', result.missingNodes ?? []);
        continue;
      }
      result.answers.push(...answers.answers);
      result.missing.push(...answers.missing);
    }
    return result;
  }

  async fetchSockets(target: BroadcastTarget, timeoutMs: number): Promise<FetchedSockets> {
    const sockets = describeLocal(this.#local, this.#attached(), target, this.nodeId);
    const others = await this.#ask('fetch', { target: plainTarget(target) }, timeoutMs || this.options.requestTimeout);
    const missingNodes = [...others.missingNodes];
    for (const [node, reply] of others.replies) {
      const theirs = asSocketList(reply, node);
      if (theirs === null) this.#badReply(node, 'fetch', missingNodes);
      else sockets.push(...theirs);
    }
    return { sockets, missingNodes };
  }

  socketsJoin(target: BroadcastTarget, rooms: readonly Room[], timeoutMs: number): Promise<NodesReply> {
    joinLocal(this.#local, this.#attached(), target, rooms);
    return this.#command('join', { target: plainTarget(target), rooms: [...rooms] }, timeoutMs);
  }

  socketsLeave(target: BroadcastTarget, rooms: readonly Room[], timeoutMs: number): Promise<NodesReply> {
    leaveLocal(this.#local, this.#attached(), target, rooms);
    return this.#command('leave', { target: plainTarget(target), rooms: [...rooms] }, timeoutMs);
  }

  disconnectSockets(target: BroadcastTarget, reason: string, timeoutMs: number): Promise<NodesReply> {
    disconnectLocal(this.#local, this.#attached(), target, reason);
    return this.#command('disconnect', { target: plainTarget(target), reason }, timeoutMs);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#requests?.close();
    this.#reader?.close();
    const link = this.#link;
    if (link !== null && link.commands.isReady) {
      await this.#publisher.drain(CLOSE_WAIT_MS);
      const leaving = this.#registry?.stop() ?? Promise.resolve();
      await withTimeout(leaving, CLOSE_WAIT_MS, () => new Error('timeout')).catch(() => {});
    }
    this.#registry?.halt();
    this.#publisher.fail(
      new ClusterError('ERR_FERRY_CLUSTER_UNAVAILABLE', 'ferry: the server closed before this broadcast reached Redis (delivered on this node only, unless it had been written to Redis already)'),
    );
    link?.destroy();
    this.#local.close();
  }

  async #start(host: AdapterHost): Promise<void> {
    const options = this.options;
    const link = await makeRedisLink(
      options.redis,
      this.nodeId,
      (error) => this.#lost(error),
      () => this.#reconnected(),
    );
    if (this.#closed) {
      link.destroy();
      throw new ClusterError('ERR_FERRY_CLUSTER_UNAVAILABLE', 'ferry: the server closed before it joined the cluster');
    }
    this.#link = link;
    this.#publisher.use(link.commands, link.isReplyError);
    await link.connect();
    const reader = (this.#reader = new StreamReader(link.reader, options.prefix + ':broadcast', {
      run: this.#run,
      deliver: (entry) => this.#local.broadcast(entry.item, entry.target),
      report: (error) => host.error(error),
      isReplyError: link.isReplyError,
    }));
    await reader.start();
    const registry = (this.#registry = new NodeRegistry(link.commands, options.prefix + ':nodes', this.nodeId, options.nodeExpiry));
    const requests = (this.#requests = new NodeRequests(link, registry, options, (op, args) => this.#handle(op, args), (error) => host.error(error)));
    await requests.start();
    for (const task of this.#connectedTasks) await task(link);
    if (this.#closed) return;
    await registry.start(options.heartbeatInterval);
    if (this.#closed) void registry.stop().catch(() => {});
  }

  #lost(error: Error): void {
    if (this.#outage || this.#closed) return;
    this.#outage = true;
    this.#host?.error(new ClusterError('ERR_FERRY_CLUSTER_CONNECTION', 'ferry: the connection to Redis was lost; reconnecting (broadcasts wait in the bounded queue): ' + error.message, { cause: error }));
  }

  #reconnected(): void {
    const link = this.#link;
    if (link === null) return;
    this.#publisher.flush();
    if (link.commands.isReady && link.reader.isReady && link.subscriber.isReady) {
      this.#outage = false;
      // back after an outage longer than nodeExpiry: be present again at once
      this.#registry?.refresh().catch(() => {});
    }
  }

  /** A request of another node, run on this one. */
  async #handle(op: string, args: Record<string, unknown>): Promise<JsonValue> {
    const host = this.#attached();
    const target = parseTarget(args.target);
    if (target === null) throw new Error('bad target');
    switch (op) {
      case 'ask': {
        const { item, timeout } = args;
        if (typeof item !== 'string' || item.charAt(0) !== 'e' || itemProblem(item) !== null) throw new Error('bad event item');
        if (typeof timeout !== 'number' || !(timeout > 0) || timeout > 2_147_483_647) throw new Error('bad timeout');
        const answers = await this.#local.broadcastWithAck(item, target, timeout);
        return { answers: answers.answers, missing: answers.missing };
      }
      case 'fetch':
        return describeLocal(this.#local, host, target, this.nodeId) as unknown as JsonValue;
      case 'join':
      case 'leave':
        if (!isNameList(args.rooms)) throw new Error('bad rooms');
        if (op === 'join') joinLocal(this.#local, host, target, args.rooms);
        else leaveLocal(this.#local, host, target, args.rooms);
        return true;
      case 'disconnect':
        if (typeof args.reason !== 'string' || args.reason.length > 1_000) throw new Error('bad reason');
        disconnectLocal(this.#local, host, target, args.reason);
        return true;
      default:
        throw new Error('unknown request');
    }
  }

  async #command(op: string, args: Record<string, JsonValue>, timeoutMs: number): Promise<NodesReply> {
    const others = await this.#ask(op, args, timeoutMs || this.options.requestTimeout);
    const missingNodes = [...others.missingNodes];
    for (const [node, reply] of others.replies) if (reply !== true) this.#badReply(node, op, missingNodes);
    return { missingNodes };
  }

  async #ask(op: string, args: Record<string, JsonValue>, waitMs: number): Promise<NodeReplies> {
    if (this.#requests === null && !this.#closed) {
      const notYet = (): Error => new ClusterError('ERR_FERRY_CLUSTER_UNAVAILABLE', `ferry: could not ask the other nodes (${op}): not connected to Redis within ${waitMs} ms`);
      await withTimeout(this.#ready, waitMs, notYet);
    }
    const requests = this.#requests;
    if (requests === null || this.#closed) throw new ClusterError('ERR_FERRY_CLUSTER_UNAVAILABLE', 'ferry: the cluster adapter is closed');
    return requests.request(op, args, waitMs);
  }

  #badReply(node: string, op: string, missingNodes: string[]): void {
    this.#host?.error(new ClusterError('ERR_FERRY_CLUSTER_BAD_INPUT', `ferry: dropped a malformed "${op}" reply from node ${node}`));
    missingNodes.push(node);
  }

  #attached(): AdapterHost {
    if (this.#host === null) throw new Error('ferry: the adapter is not attached to a Server');
    return this.#host;
  }
}

/** The target as plain data (the operator's arrays may be shared). */
function plainTarget(target: BroadcastTarget): { rooms: string[]; except: string[]; volatile: boolean } {
  return { rooms: [...target.rooms], except: [...target.except], volatile: target.volatile };
}

function asAnswers(value: unknown): { answers: Array<{ id: string; value: JsonValue }>; missing: string[] } | null {
  if (typeof value !== 'object' || value === null) return null;
  const { answers, missing } = value as Record<string, unknown>;
  if (!Array.isArray(answers) || !Array.isArray(missing) || !missing.every((id) => typeof id === 'string')) return null;
  const list: Array<{ id: string; value: JsonValue }> = [];
  for (const answer of answers as unknown[]) {
    if (typeof answer !== 'object' || answer === null) return null;
    const { id, value: answered } = answer as Record<string, unknown>;
    if (typeof id !== 'string' || answered === undefined) return null;
    list.push({ id, value: answered as JsonValue });
  }
  return { answers: list, missing: missing as string[] };
}

function asSocketList(value: unknown, node: string): RemoteSocketInfo[] | null {
  if (!Array.isArray(value)) return null;
  const list: RemoteSocketInfo[] = [];
  for (const one of value as unknown[]) {
    if (typeof one !== 'object' || one === null) return null;
    const { id, rooms, data } = one as Record<string, unknown>;
    if (typeof id !== 'string' || !isNameList(rooms)) return null;
    list.push({ id, rooms, data: data === undefined ? null : (data as JsonValue), node });
  }
  return list;
}
