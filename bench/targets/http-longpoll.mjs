// A minimal long-polling server and client on plain `node:http`: the floor
// for what any long-polling library can cost. No acks, no heartbeats, no
// framing beyond a JSON array of messages per request.
//   POST /lp/open          -> session id
//   GET  /lp?sid=ID        -> waits for messages, answers a JSON array (or 204)
//   POST /lp?sid=ID        -> body is a JSON array of messages; answers 204
//   DELETE /lp?sid=ID      -> ends the session
import http from 'node:http';
import { listenOnLoopback } from './listen.mjs';
import { randomUUID } from 'node:crypto';
import { reply } from './replies.mjs';

const POLL_TIMEOUT_MS = 25_000;

class LongPollSession {
  queue = [];
  poll = null;
  pollTimer = null;
  flushScheduled = false;

  send(message) {
    this.queue.push(message);
    if (this.poll && !this.flushScheduled) {
      this.flushScheduled = true;
      process.nextTick(() => this.flush());
    }
  }

  /** Hands `res` the queued messages, or holds it until some arrive. */
  hold(res) {
    this.release();
    this.poll = res;
    res.on('close', () => {
      if (this.poll === res) this.release();
    });
    if (this.queue.length > 0) this.flush();
    else this.pollTimer = setTimeout(() => this.flush(), POLL_TIMEOUT_MS);
  }

  flush() {
    this.flushScheduled = false;
    const res = this.poll;
    if (!res) return;
    this.poll = null;
    clearTimeout(this.pollTimer);
    if (this.queue.length === 0) {
      res.writeHead(204).end();
      return;
    }
    const body = JSON.stringify(this.queue);
    this.queue = [];
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
  }

  release() {
    clearTimeout(this.pollTimer);
    if (this.poll) this.poll.writeHead(204).end();
    this.poll = null;
  }
}

export async function startServer() {
  const sessions = new Map();
  const httpServer = http.createServer((req, res) => {
    const [path, query = ''] = req.url.split('?');
    if (req.method === 'POST' && path === '/lp/open') {
      const sid = randomUUID();
      sessions.set(sid, new LongPollSession());
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': sid.length }).end(sid);
      return;
    }
    const session = path === '/lp' ? sessions.get(new URLSearchParams(query).get('sid')) : undefined;
    if (!session) {
      res.writeHead(404).end();
      return;
    }
    if (req.method === 'GET') {
      session.hold(res);
    } else if (req.method === 'POST') {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        res.writeHead(204).end();
        for (const message of JSON.parse(body)) reply(message, (data) => session.send(data));
      });
    } else if (req.method === 'DELETE') {
      session.release();
      sessions.delete(new URLSearchParams(query).get('sid'));
      res.writeHead(204).end();
    } else {
      res.writeHead(405).end();
    }
  });
  return listenOnLoopback(httpServer, {
    sessionCount: () => sessions.size,
    async stop() {
      for (const session of sessions.values()) session.release();
    },
  });
}

const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });

/** One HTTP request on the shared keep-alive agent; resolves { status, body }. */
function request(host, port, method, path, body) {
  return new Promise((resolve, reject) => {
    const headers = body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
    const req = http.request({ host, port, method, path, agent, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode, body: text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Opens one client; `on` holds open(), message(data) and close(reason) callbacks. */
export function connect(port, on, { host }) {
  let sid = null;
  let closed = false;
  let outbox = [];
  let posting = false;

  const end = (reason) => {
    if (closed) return;
    closed = true;
    on.close(reason);
  };

  async function pollLoop() {
    while (!closed) {
      const { status, body } = await request(host, port, 'GET', `/lp?sid=${sid}`);
      if (closed) return;
      if (status === 200) for (const message of JSON.parse(body)) on.message(message);
      else if (status !== 204) return end(`poll status ${status}`);
    }
  }

  async function postLoop() {
    posting = true;
    while (outbox.length > 0 && !closed) {
      const batch = JSON.stringify(outbox);
      outbox = [];
      const { status } = await request(host, port, 'POST', `/lp?sid=${sid}`, batch);
      if (status !== 204) return end(`post status ${status}`);
    }
    posting = false;
  }

  request(host, port, 'POST', '/lp/open')
    .then(({ body }) => {
      sid = body;
      on.open();
      pollLoop().catch((error) => end(String(error)));
      if (outbox.length > 0 && !posting) postLoop().catch((error) => end(String(error)));
    })
    .catch((error) => end(String(error)));

  return {
    send(data) {
      outbox.push(data);
      if (sid && !posting) postLoop().catch((error) => end(String(error)));
    },
    close() {
      if (closed) return;
      if (sid) request(host, port, 'DELETE', `/lp?sid=${sid}`).catch(() => {});
      end('client close');
    },
  };
}
