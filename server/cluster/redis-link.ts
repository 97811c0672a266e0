import { ClusterError } from './cluster-error.js';

/**
 * The three Redis connections of a node, made with the `redis` package (node-redis), loaded only
 * when the cluster option is used. Only the narrow part of a client Ferry calls is typed here, so
 * no node-redis type reaches Ferry's declarations (an app without `redis` installed compiles).
 *
 * - `commands`: XADD, EVAL, PUBLISH, XINFO (pipelined, answers in order);
 * - `reader`: XREAD BLOCK only (a blocked read would hold up every other command);
 * - `subscriber`: SUBSCRIBE to this node's channel (a subscribed connection takes no other command).
 *
 * Each reconnects forever (50 ms doubling to 1 s between attempts); node-redis's own offline queue
 * is off: a command while disconnected fails at once, and the bounded queue of
 * server/cluster/stream-publisher.ts is the only one.
 */
export interface RedisConnection {
  readonly isReady: boolean;
  connect(): Promise<unknown>;
  sendCommand(args: readonly string[]): Promise<unknown>;
  subscribe(channel: string, listener: (message: string, channel: string) => void): Promise<void>;
  destroy(): void;
  on(event: 'ready' | 'error', listener: (error?: unknown) => void): unknown;
  off(event: 'ready' | 'error', listener: (error?: unknown) => void): unknown;
}

export interface RedisLink {
  readonly commands: RedisConnection;
  readonly reader: RedisConnection;
  readonly subscriber: RedisConnection;
  /** Whether `error` is Redis refusing a command (an error reply), not a lost connection. */
  isReplyError(error: unknown): boolean;
  /** Connects the three (each retried until it connects or `destroy` is called). */
  connect(): Promise<void>;
  /** Closes the three connections at once (pending commands fail). */
  destroy(): void;
}

interface RedisModule {
  createClient(options: object): RedisConnection;
  ErrorReply: abstract new (...args: never[]) => Error;
}

export const NO_REDIS_MESSAGE = 'ferry: the cluster option needs the redis package: npm install redis';

/** Loads `redis`, or throws a ClusterError (ERR_FERRY_CLUSTER_NO_REDIS) saying how to install it. */
async function loadRedis(): Promise<RedisModule> {
  try {
    return (await import('redis')) as unknown as RedisModule;
  } catch (cause) {
    throw new ClusterError('ERR_FERRY_CLUSTER_NO_REDIS', NO_REDIS_MESSAGE, { cause });
  }
}

/** The longest a lost connection to Redis waits before its next attempt, in ms (50 ms doubling up to this). */
export const MAX_RECONNECT_DELAY_MS = 1_000;

/**
 * Makes the three connections to `url`, not connected yet (named `ferry-{nodeId}-{role}` in CLIENT LIST). `onLost` hears every connection error
 * node-redis reports; `onReady` every (re)connection.
 */
export async function makeRedisLink(url: string, nodeId: string, onLost: (error: Error) => void, onReady: () => void): Promise<RedisLink> {
  const redis = await loadRedis();
  const make = (name: string): RedisConnection => {
    const client = redis.createClient({
      url,
      name: `ferry-${nodeId}-${name}`,
      // replies as RESP2 arrays, which server/cluster/ parses (node-redis 6 defaults to RESP3 maps)
      RESP: 2,
      disableOfflineQueue: true,
      socket: { connectTimeout: 5_000, reconnectStrategy: (retries: number) => Math.min(50 * 2 ** Math.min(retries, 5), MAX_RECONNECT_DELAY_MS) },
    });
    client.on('error', (error) => onLost(error instanceof Error ? error : new Error(String(error))));
    client.on('ready', onReady);
    return client;
  };
  const link: RedisLink = {
    commands: make('commands'),
    reader: make('reader'),
    subscriber: make('subscriber'),
    isReplyError: (error) => error instanceof redis.ErrorReply,
    async connect() {
      await Promise.all([link.commands.connect(), link.reader.connect(), link.subscriber.connect()]);
    },
    destroy() {
      for (const connection of [link.commands, link.reader, link.subscriber]) {
        try {
          connection.destroy();
        } catch {
          // never connected, or closed already
        }
      }
    },
  };
  return link;
}

/** Resolves when `connection` is ready (at once if it is), or when `stop` resolves. */
export function whenReady(connection: RedisConnection, stop: Promise<void>): Promise<void> {
  if (connection.isReady) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      connection.off('ready', done);
      resolve();
    };
    connection.on('ready', done);
    void stop.then(done);
  });
}

/** `promise`, or a rejection with `error()` after `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, error: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(error()), ms);
    timer.unref();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (reason: unknown) => {
        clearTimeout(timer);
        reject(reason instanceof Error ? reason : new Error(String(reason)));
      },
    );
  });
}
