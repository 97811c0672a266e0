import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CloseCode, Refusal, type AuthHandshake, type ServerOptions } from '../../server/index.js';
import { connect } from '../../client/index.js';
import { encodeBinaryFrame } from '../../protocol/index.js';
import { closeAfterEach, startServer, waitFor, type TestServer } from '../support/harness.js';

const track = closeAfterEach();

async function authServer(middleware: (h: AuthHandshake) => unknown, options: ServerOptions = {}): Promise<TestServer> {
  const server = track(await startServer(options));
  server.ferry.use(middleware as (h: AuthHandshake) => void);
  return server;
}

function handshake(server: TestServer, body: string | null, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(server.origin + '/ferry/v1/handshake?transport=xhr-polling', { method: 'POST', headers: { 'Content-Type': 'text/plain;charset=UTF-8', ...headers }, body });
}

interface Closed {
  code: number;
  reason: string;
  /** Text messages received before the close. */
  messages: string[];
}

/** A direct WebSocket (no sid) that sends `first` (raw text, or bytes) once open, and reports how it ended. */
function directWebSocket(server: TestServer, first: Array<string | Buffer>): Promise<Closed> {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ferry/v1/ws`);
  const messages: string[] = [];
  ws.on('open', () => first.forEach((data) => ws.send(data)));
  ws.on('message', (data) => messages.push(data.toString()));
  track({ close: async () => ws.terminate() });
  return new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString(), messages })));
}

describe('the POST handshake body', () => {
  it('hands {"auth": …} to the middleware, with headers, cookies, address (trustProxy) and query', async () => {
    const seen: unknown[] = [];
    const server = await authServer(
      (h) => {
        seen.push({ auth: h.auth, cookies: { ...h.cookies }, address: h.address, query: h.query, agent: h.headers['user-agent'] });
      },
      { trustProxy: ['loopback'] },
    );
    const res = await fetch(server.origin + '/ferry/v1/handshake?transport=xhr-polling&tenant=acme', {
      method: 'POST',
      headers: { Cookie: 'sid=s%3Aabc; theme="dark"; bad cookie=1', 'User-Agent': 'tester', 'X-Forwarded-For': '203.0.113.9' },
      body: '{"auth":{"token":"t1"}}',
    });
    expect(res.status).toBe(200);
    expect(seen).toEqual([{ auth: { token: 't1' }, cookies: { sid: 's:abc', theme: 'dark' }, address: '203.0.113.9', query: { tenant: 'acme' }, agent: 'tester' }]);
  });

  it('an empty body (and no body at all) means no payload', async () => {
    const seen: unknown[] = [];
    const server = await authServer((h) => void seen.push(h.auth));
    expect((await handshake(server, '')).status).toBe(200);
    expect((await fetch(server.origin + '/ferry/v1/handshake', { method: 'POST' })).status).toBe(200);
    expect((await handshake(server, '{"auth":null}')).status).toBe(200);
    expect(seen).toEqual([undefined, undefined, undefined]);
  });

  it('a body over maxHandshakeBytes is 413, and the middleware never runs', async () => {
    let ran = 0;
    const server = await authServer(() => void ran++, { maxHandshakeBytes: 100 });
    const res = await handshake(server, JSON.stringify({ auth: 'x'.repeat(200) }));
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: string }).error).toBe('payload_too_large');
    expect(ran).toBe(0);
    expect(server.ferry.sessionCount).toBe(0);
  });

  it.each(['not json', '[1,2]', '"text"', 'null'])('a body that is not a JSON object (%s) is 400', async (body) => {
    const server = await authServer(() => {});
    const res = await handshake(server, body);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('bad_request');
    expect(server.ferry.sessionCount).toBe(0);
  });

  it('without middleware, the body is not read or judged (a bodyless or odd POST works as before)', async () => {
    const server = track(await startServer());
    expect((await handshake(server, 'not json')).status).toBe(200);
    expect((await handshake(server, null)).status).toBe(200);
  });
});

describe('refusals', () => {
  it('401 unauthorized with the message and data; 403 forbidden when asked', async () => {
    const server = await authServer((h) => {
      if (h.auth === 'banned') throw new Refusal('you are banned', { status: 403 });
      throw new Refusal('sign in first', { data: { login: '/login' } });
    });
    const anonymous = await handshake(server, '');
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({ error: 'unauthorized', message: 'sign in first', data: { login: '/login' } });
    const banned = await handshake(server, '{"auth":"banned"}');
    expect(banned.status).toBe(403);
    expect(await banned.json()).toEqual({ error: 'forbidden', message: 'you are banned' });
  });

  it('a JSONP handshake gets the refusal as its call (a failed script tells a page nothing)', async () => {
    const server = await authServer(() => {
      throw new Refusal('no');
    });
    const res = await fetch(server.origin + '/ferry/v1/handshake?transport=jsonp-polling&cb=__ferry_jsonp_1', { headers: { 'Sec-Fetch-Site': 'same-origin' } });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('__ferry_jsonp_1(');
  });

  it('a refused handshake holds no session, no table slot and no per-address slot', async () => {
    let admit = false;
    const server = await authServer(
      () => {
        if (!admit) throw new Refusal('not yet');
      },
      { maxSessions: 1, maxSessionsPerAddress: 1 },
    );
    for (let i = 0; i < 3; i++) expect((await handshake(server, '')).status).toBe(401);
    expect(server.ferry.sessionCount).toBe(0);
    admit = true;
    expect((await handshake(server, '')).status).toBe(200);
    expect(server.ferry.sessionCount).toBe(1);
  });

  it('a client that leaves while its middleware runs gets no session', async () => {
    let finished = 0;
    const server = await authServer(async () => {
      await new Promise((resolve) => setTimeout(resolve, 150));
      finished++;
    });
    const abort = new AbortController();
    const asking = handshake(server, '', {}).catch(() => null);
    const leaving = fetch(server.origin + '/ferry/v1/handshake', { method: 'POST', body: '', signal: abort.signal }).catch((e: Error) => e.name);
    setTimeout(() => abort.abort(), 30);
    expect(await leaving).toBe('AbortError');
    expect((await asking)?.status).toBe(200);
    await waitFor(() => finished === 2, 'both middleware runs');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(server.ferry.sessionCount).toBe(1);
  });

  it('a Refusal from a rejected promise refuses too', async () => {
    const server = await authServer(async () => Promise.reject(new Refusal('later no')));
    expect((await handshake(server, '')).status).toBe(401);
  });
});

describe('middleware bugs', () => {
  it('a throw is 500 server_error without its text, and the server\'s error event with socket null', async () => {
    const server = await authServer(() => {
      throw new Error('secret stack detail');
    });
    const errors: Array<[string, unknown]> = [];
    server.ferry.on('error', (error, socket) => errors.push([error.message, socket]));
    const res = await handshake(server, '');
    expect(res.status).toBe(500);
    const body = await res.text();
    expect(JSON.parse(body).error).toBe('server_error');
    expect(body).not.toContain('secret');
    expect(errors).toEqual([['secret stack detail', null]]);
    expect(server.ferry.sessionCount).toBe(0);
  });

  it('a middleware past authTimeout is the app\'s bug (500, an error naming authTimeout)', async () => {
    const server = await authServer(() => new Promise(() => {}), { authTimeout: 200 });
    const errors: string[] = [];
    server.ferry.on('error', (error) => errors.push(error.message));
    expect((await handshake(server, '')).status).toBe(500);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('authTimeout');
    expect(server.ferry.sessionCount).toBe(0);
  });

  it('a returned __proto__ field is data, not a prototype', async () => {
    const server = await authServer(() => JSON.parse('{"__proto__":{"polluted":true},"user":"u"}') as object);
    expect((await handshake(server, '')).status).toBe(200);
    const data = server.sockets[0].data as Record<string, unknown>;
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
    expect(data.user).toBe('u');
    expect((data as { polluted?: unknown }).polluted).toBeUndefined();
  });
});

describe('a direct WebSocket to a server with middleware', () => {
  it('sends open only after the auth frame passed the middleware', async () => {
    const seen: unknown[] = [];
    const server = await authServer((h) => {
      seen.push(h.auth);
      return { user: 'ws' };
    });
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ferry/v1/ws`);
    track({ close: async () => ws.terminate() });
    const messages: string[] = [];
    ws.on('message', (data) => messages.push(data.toString()));
    await new Promise((resolve) => ws.on('open', resolve));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(messages).toEqual([]);
    expect(server.ferry.sessionCount).toBe(0);
    ws.send('[["auth",{"token":"w"}]]');
    await waitFor(() => messages.length === 1, 'open frame');
    expect(messages[0]).toMatch(/^\[\["open",/);
    expect(seen).toEqual([{ token: 'w' }]);
    expect(server.sockets[0].data).toEqual({ user: 'ws' });
  });

  it('is closed with 4401 and the message when refused', async () => {
    const server = await authServer(() => {
      throw new Refusal('wrong password');
    });
    const closed = await directWebSocket(server, ['[["auth","pw"]]']);
    expect(closed).toEqual({ code: CloseCode.UNAUTHORIZED, reason: 'wrong password', messages: [] });
    expect(server.ferry.sessionCount).toBe(0);
  });

  it('a long refusal message is cut to 123 bytes of UTF-8, not inside a character', async () => {
    const server = await authServer(() => {
      throw new Refusal('é'.repeat(100));
    });
    const closed = await directWebSocket(server, ['[["auth",null]]']);
    expect(closed.code).toBe(CloseCode.UNAUTHORIZED);
    expect(closed.reason).toBe('é'.repeat(61));
  });

  it('is closed with 1011 "server error" when the middleware throws', async () => {
    const server = await authServer(() => {
      throw new Error('bug');
    });
    server.ferry.on('error', () => {});
    expect(await directWebSocket(server, ['[["auth",null]]'])).toEqual({ code: 1011, reason: 'server error', messages: [] });
  });

  it.each([
    ['a message first', ['[["m",1,"hi"]]'], CloseCode.PROTOCOL_ERROR, 'protocol error: the first frame must be auth'],
    ['bytes first', [Buffer.from(encodeBinaryFrame(1, new Uint8Array([7])))], CloseCode.PROTOCOL_ERROR, 'protocol error: the first frame must be auth'],
    ['an empty packet first', ['[]'], CloseCode.PROTOCOL_ERROR, 'protocol error: the first frame must be auth'],
    ['auth with another frame in its packet', ['[["auth",1],["m",1,"x"]]'], CloseCode.PROTOCOL_ERROR, 'protocol error: a frame before open'],
    ['a frame while the middleware runs', ['[["auth",1]]', '[["m",1,"x"]]'], CloseCode.PROTOCOL_ERROR, 'protocol error: a frame before open'],
    ['an auth frame over maxHandshakeBytes', [JSON.stringify([['auth', 'x'.repeat(300)]])], CloseCode.MESSAGE_TOO_LARGE, 'auth frame exceeds maxHandshakeBytes'],
    ['a malformed auth frame', ['[["auth"]]'], CloseCode.PROTOCOL_ERROR, 'protocol error: malformed or unknown frame "auth"'],
  ])('%s: closed clearly, no session', async (_what, first, code, reason) => {
    let ran = 0;
    const server = await authServer(
      async () => {
        ran++;
        await new Promise((resolve) => setTimeout(resolve, 100));
      },
      { maxHandshakeBytes: 256 },
    );
    const closed = await directWebSocket(server, first);
    expect({ code: closed.code, reason: closed.reason }).toEqual({ code, reason });
    expect(closed.messages).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(server.ferry.sessionCount).toBe(0);
    if (code === CloseCode.MESSAGE_TOO_LARGE) expect(ran).toBe(0);
  });

  it('a client that never sends its auth frame is closed after authTimeout; other sessions are unaffected', async () => {
    const server = await authServer(() => {}, { authTimeout: 300 });
    const other = connect(server.origin + '/ferry', { transports: ['websocket'] });
    track({ close: async () => other.close() });
    const echoed: unknown[] = [];
    other.on('message', (data) => echoed.push(data));
    other.on('open', () => other.send('before'));
    const silent = directWebSocket(server, []);
    const closed = await silent;
    expect({ code: closed.code, reason: closed.reason }).toEqual({ code: CloseCode.PROTOCOL_ERROR, reason: 'protocol error: no auth frame within authTimeout' });
    other.send('after');
    await waitFor(() => echoed.length === 2, 'echoes');
    expect(echoed).toEqual(['before', 'after']);
    expect(server.ferry.sessionCount).toBe(1);
  });

  it('shutting the server down ends handshakes still in their middleware, without sessions', async () => {
    const server = await authServer(() => new Promise(() => {}));
    const closing = directWebSocket(server, ['[["auth",null]]']);
    const posting = handshake(server, '');
    await new Promise((resolve) => setTimeout(resolve, 100));
    await server.ferry.close();
    expect((await closing).code).toBe(CloseCode.SERVER_SHUTDOWN);
    expect((await posting).status).toBe(503);
    expect(server.ferry.sessionCount).toBe(0);
  });
});

describe('a direct WebSocket to a server without middleware', () => {
  it('drops a first auth frame unread, and refuses one anywhere else', async () => {
    const server = track(await startServer());
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ferry/v1/ws`);
    track({ close: async () => ws.terminate() });
    const messages: string[] = [];
    ws.on('message', (data) => messages.push(data.toString()));
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    await new Promise((resolve) => ws.on('open', resolve));
    ws.send('[["auth",{"ignored":true}],["m",1,"echo me"]]');
    await waitFor(() => messages.some((m) => m.includes('echo me')), 'echo');
    ws.send('[["auth",null]]');
    expect(await closed).toBe(CloseCode.PROTOCOL_ERROR);
  });
});
