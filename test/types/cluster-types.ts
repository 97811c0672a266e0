// Type test, compiled by `npx tsc -p tsconfig.test.json` (never run): the cluster option and the
// operations on the sockets of every node.
import { MemoryAdapter, Server, type BroadcastAnswers, type ClusterError, type FetchedSockets, type NodesReply, type RemoteSocketInfo } from '../../server/index.js';

const ferry = new Server({ cluster: { redis: 'redis://127.0.0.1:6379', prefix: 'app', maxQueuedBytes: 1 << 20, publishTimeout: 5000 } });

const fetched: Promise<FetchedSockets> = ferry.in('room').timeout(1000).fetchSockets();
void fetched.then(({ sockets, missingNodes }) => {
  const first: RemoteSocketInfo | undefined = sockets[0];
  const node: string | undefined = first?.node;
  const nodes: string[] = missingNodes;
  void [node, nodes];
});
const joined: Promise<NodesReply> = ferry.in('a').socketsJoin(['b', 'c']);
const left: Promise<NodesReply> = ferry.socketsLeave('b');
const ended: Promise<NodesReply> = ferry.except('vip').disconnectSockets('maintenance');
void [joined, left, ended];

// a cluster broadcast may reject: it returns a Promise the app can await
const sent: void | Promise<void> = ferry.to('room').send('hi');
void Promise.resolve(sent).catch((error: ClusterError) => error.code);

const answers: Promise<BroadcastAnswers<unknown>> = ferry.timeout(500).emitWithAck('ready?');
void answers.then((result) => result.missingNodes?.length);

// @ts-expect-error the Redis URL is required
new Server({ cluster: {} });
// @ts-expect-error rooms are strings
void ferry.in('a').socketsJoin(1);
// the adapter option still takes an adapter (the two together are refused at run time)
new Server({ adapter: new MemoryAdapter() });
