// SockJS protocol 0.3.3 conformance, part 4: closing sessions and connections, and HTTP/1.0 and
// HTTP/1.1 framing. A port of sockjs-protocol-0.3.3.py; see protocol.test.ts for the whole map and
// the fixtures.
//
// Waits: where the suite sleeps 0.25 s after sending a request it never reads (so the server has
// it before the next one), these tests do too. HandlingClose.test_abort_* also wait 0.25 s after
// dropping a request before the next one, as the suite's next revision does for
// test_abort_xhr_streaming: the server has to see the connection go before the new request comes,
// and on two separate connections nothing else orders the two.
//
// Http11.test_streaming: the suite reads exactly one chunk per frame; here the chunks are read and
// checked one by one up to the terminating zero-size chunk, and their concatenation is checked
// frame by frame, as a write may not map to exactly one chunk in every Node version.
import { describe, expect, it } from 'vitest';
import { POST, sessionId, sockjsFixture } from './support.js';

const sockjs = sockjsFixture();

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// Handling close
describe('HandlingClose', () => {
  it('test_close_frame: after the server closed a session, a new request gets the close frame, not 2010', async () => {
    const url = (await sockjs.baseUrl('close')) + '/000/' + sessionId();
    const r1 = await sockjs.openStream('POST', url + '/xhr_streaming');
    await r1.next('\n'); // prelude
    expect(await r1.next('\n')).toBe('o\n');
    expect(await r1.next('\n')).toBe('c[3000,"Go away!"]\n');

    const r2 = await sockjs.openStream('POST', url + '/xhr_streaming');
    await r2.next('\n'); // prelude
    expect(await r2.next('\n')).toBe('c[3000,"Go away!"]\n');

    // Both streaming responses end after the close frame.
    expect(await r1.rest()).toBe('');
    expect(await r2.rest()).toBe('');
  });

  it('test_close_request: a second streaming request gets c[2010,...] and is ended', async () => {
    const url = (await sockjs.baseUrl('echo')) + '/000/' + sessionId();
    const r1 = await sockjs.openStream('POST', url + '/xhr_streaming');
    await r1.next('\n'); // prelude
    expect(await r1.next('\n')).toBe('o\n');

    const r2 = await sockjs.openStream('POST', url + '/xhr_streaming');
    await r2.next('\n'); // prelude
    expect(await r2.next('\n')).toBe('c[2010,"Another connection still open"]\n');
    expect(await r2.rest()).toBe('');
  });

  it('test_abort_xhr_streaming: after the receiving request is dropped, a new one gets o or c[1002,...]', async () => {
    const url = (await sockjs.baseUrl('echo')) + '/000/' + sessionId();
    const r1 = await sockjs.openStream('POST', url + '/xhr_streaming');
    await r1.next('\n'); // prelude
    expect(await r1.next('\n')).toBe('o\n');

    // No second receiving request meanwhile.
    const r2 = await sockjs.openStream('POST', url + '/xhr_streaming');
    await r2.next('\n'); // prelude
    expect(await r2.next('\n')).toBe('c[2010,"Another connection still open"]\n');
    expect(await r2.rest()).toBe('');

    await r1.close();
    await pause(250);

    // The session was interrupted: it may be gone (a new one opens) or report 1002.
    const r3 = await sockjs.openStream('POST', url + '/xhr_streaming');
    await r3.next('\n'); // prelude
    expect(['o\n', 'c[1002,"Connection interrupted"]\n']).toContain(await r3.next('\n'));
    await r3.close();
  });

  it('test_abort_xhr_polling: after the waiting poll is dropped, a new one gets o or c[1002,...]', async () => {
    const url = (await sockjs.baseUrl('echo')) + '/000/' + sessionId();
    let r = await POST(url + '/xhr');
    expect(r.body).toBe('o\n');

    const r1 = await sockjs.sendUnread('POST', url + '/xhr');
    await pause(250); // the suite's time.sleep(0.25)

    // No second polling request meanwhile.
    r = await POST(url + '/xhr');
    expect(r.body).toBe('c[2010,"Another connection still open"]\n');

    await r1.close();
    await pause(250);

    r = await POST(url + '/xhr');
    expect(['o\n', 'c[1002,"Connection interrupted"]\n']).toContain(r.body);
  });
});

// Http 1.0 and 1.1 chunking: HTTP sanity, checked on the greeting and on xhr_streaming.
describe('Http10', () => {
  it('test_synchronous: no chunking; Content-Length with keep-alive, or the connection closed', async () => {
    const base = await sockjs.baseUrl('echo');
    const c = sockjs.rawConnection(base);
    // "Connection: Keep-Alive" is not HTTP/1.0, but HTTP/1.0 clients send it.
    let r = await c.request('GET', base, { http: '1.0', headers: { Connection: 'Keep-Alive' } });
    expect(r.status).toBe(200);
    // Many servers always answer 1.1.
    expect(['1.0', '1.1']).toContain(r.http);
    expect(r.headers['transfer-encoding'] ?? '').toBe('');

    if (!r.headers['content-length']) {
      expect(r.headers.connection?.toLowerCase()).toBe('close');
      expect(await c.read(19)).toBe('Welcome to SockJS!\n');
      expect(await c.closed()).toBe(true);
    } else {
      expect(Number(r.headers['content-length'])).toBe(19);
      expect(await c.read(19)).toBe('Welcome to SockJS!\n');
      const connection = (r.headers.connection ?? '').toLowerCase();
      if (connection === 'close' || connection === '') {
        // Closing is the HTTP/1.0 default.
        expect(await c.closed()).toBe(true);
      } else {
        expect(connection).toBe('keep-alive');
        // A second request on the same connection.
        r = await c.request('GET', base, { http: '1.0', headers: { Connection: 'Keep-Alive' } });
        expect(r.status).toBe(200);
      }
    }
  });

  it('test_streaming: xhr_streaming over HTTP/1.0 has neither chunking nor a length, and closes after the close frame', async () => {
    const url = (await sockjs.baseUrl('close')) + '/000/' + sessionId();
    const c = sockjs.rawConnection(url);
    const r = await c.request('POST', url + '/xhr_streaming', { http: '1.0', headers: { Connection: 'Keep-Alive' } });
    expect(r.status).toBe(200);
    expect(r.headers['transfer-encoding'] ?? '').toBe('');
    expect(r.headers['content-length'] ?? '').toBe('');

    // As HandlingClose.test_close_frame.
    expect((await c.read(2048 + 1))[0]).toBe('h'); // prelude
    expect(await c.read(2)).toBe('o\n');
    expect(await c.read(19)).toBe('c[3000,"Go away!"]\n');
    expect(await c.closed()).toBe(true);
  });
});

describe('Http11', () => {
  it('test_synchronous: keep-alive by default, a length or chunking, and a second request on the connection', async () => {
    const base = await sockjs.baseUrl('echo');
    const c = sockjs.rawConnection(base);
    let r = await c.request('GET', base, { http: '1.1', headers: { Connection: 'Keep-Alive' } });
    expect(r.status).toBe(200);
    expect(['keep-alive', ''], "Your server doesn't support connection:Keep-Alive").toContain((r.headers.connection ?? '').toLowerCase());
    if (r.headers['content-length']) {
      expect(Number(r.headers['content-length'])).toBe(19);
      expect(await c.read(19)).toBe('Welcome to SockJS!\n');
      expect(r.headers['transfer-encoding'] ?? '').toBe('');
    } else {
      expect(r.headers['transfer-encoding']?.toLowerCase()).toBe('chunked');
      expect(await c.readChunk()).toBe('Welcome to SockJS!\n');
      expect(await c.readChunk()).toBe('');
    }

    r = await c.request('GET', base, { http: '1.1', headers: { Connection: 'Keep-Alive' } });
    expect(r.status).toBe(200);
  });

  it('test_streaming: xhr_streaming over HTTP/1.1 is chunked, without a length, and ends after the close frame', async () => {
    const url = (await sockjs.baseUrl('close')) + '/000/' + sessionId();
    const c = sockjs.rawConnection(url);
    const r = await c.request('POST', url + '/xhr_streaming', { http: '1.1', headers: { Connection: 'Keep-Alive' } });
    expect(r.status).toBe(200);
    expect(r.headers['transfer-encoding']?.toLowerCase()).toBe('chunked');
    expect(r.headers['content-length'] ?? '').toBe('');

    const chunks: string[] = [];
    for (let chunk = await c.readChunk(); chunk !== ''; chunk = await c.readChunk()) chunks.push(chunk);
    const body = chunks.join('');
    const preludeEnd = body.indexOf('\n') + 1;
    expect(body[0]).toBe('h'); // prelude
    expect(body.slice(preludeEnd)).toBe('o\n' + 'c[3000,"Go away!"]\n');
  });
});
