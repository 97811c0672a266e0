import type { JsonValue } from '../../protocol/index.js';
import { ClusterError } from './cluster-error.js';
import type { NodeRegistry } from './node-registry.js';
import { withTimeout, type RedisConnection } from './redis-link.js';
import { parseJson } from './stream-entry.js';

/** Runs a request of another node on this one; what it resolves with is the reply's `result`. */
export type RequestHandler = (op: string, args: Record<string, unknown>) => Promise<JsonValue>;

/** The replies to one request: by node, and the nodes that did not reply in time. */
export interface NodeReplies {
  readonly replies: Map<string, unknown>;
  readonly missingNodes: string[];
}

interface Waiting {
  readonly expected: Set<string>;
  readonly replies: Map<string, unknown>;
  readonly missing: string[];
  timer: NodeJS.Timeout | null;
  done(): void;
}

const NODE_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Requests from one node to the others, over pub/sub (a request is answered within a timeout or
 * counted as not answered, naming the node; nothing in it needs to survive a reconnection). Each
 * node subscribes to `{prefix}:node:{nodeId}`, where it gets requests and the replies to its own:
 *
 * - request `{"type":"request","id":7,"from":"node-a","op":"fetch","args":{…}}`;
 * - reply `{"type":"reply","id":7,"from":"node-b","result":…}`, or `"error":"…"` when it failed there.
 *
 * A request goes to each node of the registry but this one; one whose PUBLISH reached no
 * subscriber is missing at once, the others when the time is up.
 */
export class NodeRequests {
  readonly #commands: RedisConnection;
  readonly #subscriber: RedisConnection;
  readonly #registry: NodeRegistry;
  readonly #prefix: string;
  readonly #nodeId: string;
  readonly #handle: RequestHandler;
  readonly #report: (error: Error) => void;
  readonly #waiting = new Map<number, Waiting>();
  #nextId = 0;
  #closed = false;

  constructor(
    connections: { commands: RedisConnection; subscriber: RedisConnection },
    registry: NodeRegistry,
    names: { prefix: string; nodeId: string },
    handle: RequestHandler,
    report: (error: Error) => void,
  ) {
    this.#commands = connections.commands;
    this.#subscriber = connections.subscriber;
    this.#registry = registry;
    this.#prefix = names.prefix;
    this.#nodeId = names.nodeId;
    this.#handle = handle;
    this.#report = report;
  }

  /** Subscribes to this node's channel (node-redis subscribes again after each reconnection). */
  start(): Promise<void> {
    return this.#subscriber.subscribe(this.#channel(this.#nodeId), (message) => this.#received(message));
  }

  /**
   * Sends `op` to every other node present and waits `waitMs` at most for their replies. Rejects
   * (ERR_FERRY_CLUSTER_UNAVAILABLE) when Redis cannot say which nodes are present.
   */
  async request(op: string, args: Record<string, JsonValue>, waitMs: number): Promise<NodeReplies> {
    const deadline = Date.now() + waitMs;
    let nodes: string[];
    try {
      const unavailable = (): Error => new Error(`no answer from Redis within ${waitMs} ms`);
      nodes = (await withTimeout(this.#registry.live(), waitMs, unavailable)).filter((node) => node !== this.#nodeId);
    } catch (cause) {
      throw new ClusterError('ERR_FERRY_CLUSTER_UNAVAILABLE', `ferry: could not ask the other nodes (${op}): the list of nodes is not available from Redis: ${String(cause)}`, { cause });
    }
    if (nodes.length === 0 || this.#closed) return { replies: new Map(), missingNodes: [] };
    const id = ++this.#nextId;
    const text = JSON.stringify({ type: 'request', id, from: this.#nodeId, op, args });
    return new Promise<NodeReplies>((resolve) => {
      const waiting: Waiting = {
        expected: new Set(nodes),
        replies: new Map(),
        missing: [],
        timer: null,
        done: () => {
          if (!this.#waiting.delete(id)) return;
          if (waiting.timer !== null) clearTimeout(waiting.timer);
          for (const node of waiting.expected) waiting.missing.push(node);
          waiting.expected.clear();
          resolve({ replies: waiting.replies, missingNodes: waiting.missing });
        },
      };
      this.#waiting.set(id, waiting);
      waiting.timer = setTimeout(waiting.done, Math.max(0, deadline - Date.now()));
      waiting.timer.unref();
      for (const node of nodes) {
        this.#commands.sendCommand(['PUBLISH', this.#channel(node), text]).then(
          (receivers) => {
            // nobody listening: the node is gone (its presence has not expired yet)
            if (receivers === 0) this.#missing(id, node);
          },
          () => this.#missing(id, node),
        );
      }
    });
  }

  /** Ends every request waiting (their nodes count as missing) and ignores what comes later. */
  close(): void {
    this.#closed = true;
    for (const waiting of [...this.#waiting.values()]) waiting.done();
  }

  #channel(nodeId: string): string {
    return this.#prefix + ':node:' + nodeId;
  }

  #missing(id: number, node: string): void {
    const waiting = this.#waiting.get(id);
    if (waiting === undefined || !waiting.expected.delete(node)) return;
    waiting.missing.push(node);
    if (waiting.expected.size === 0) waiting.done();
  }

  #received(text: string): void {
    if (this.#closed) return;
    const message = parseJson(text);
    const fields = typeof message === 'object' && message !== null && !Array.isArray(message) ? (message as Record<string, unknown>) : null;
    const id = fields?.id;
    const from = fields?.from;
    if (fields === null || !Number.isSafeInteger(id) || (id as number) < 1 || typeof from !== 'string' || !NODE_ID.test(from)) {
      this.#bad('a message that is not a request or reply: ' + text.slice(0, 100));
      return;
    }
    if (fields.type === 'reply') {
      const waiting = this.#waiting.get(id as number);
      if (waiting === undefined || !waiting.expected.delete(from)) return; // late, or not asked
      if (typeof fields.error === 'string') {
        this.#report(new ClusterError('ERR_FERRY_CLUSTER_UNAVAILABLE', `ferry: node ${from} could not run a request: ${fields.error}`));
        waiting.missing.push(from);
      } else {
        waiting.replies.set(from, fields.result);
      }
      if (waiting.expected.size === 0) waiting.done();
      return;
    }
    const op = fields.op;
    const args = fields.args;
    if (fields.type !== 'request' || typeof op !== 'string' || typeof args !== 'object' || args === null || Array.isArray(args)) {
      this.#bad('a message that is not a request or reply: ' + text.slice(0, 100));
      return;
    }
    const reply = (body: Record<string, JsonValue>): void => {
      if (this.#closed) return;
      const answer = JSON.stringify({ type: 'reply', id, from: this.#nodeId, ...body });
      this.#commands.sendCommand(['PUBLISH', this.#channel(from), answer]).catch(() => {});
    };
    let running: Promise<JsonValue>;
    try {
      running = this.#handle(op, args as Record<string, unknown>);
    } catch (error) {
      running = Promise.reject(error);
    }
    running.then(
      (result) => reply({ result }),
      (error: unknown) => {
        const reason = error instanceof Error ? error.message : String(error);
        this.#bad(`a request "${op.slice(0, 40)}" from node ${from} was refused: ${reason}`);
        reply({ error: reason });
      },
    );
  }

  #bad(what: string): void {
    this.#report(new ClusterError('ERR_FERRY_CLUSTER_BAD_INPUT', 'ferry: dropped ' + what));
  }
}
