// SockJS protocol 0.3.3 conformance, part 3: the HTTP transports (xhr-polling, xhr-streaming,
// EventSource, htmlfile, JSONP) and the JSESSIONID cookie. A port of sockjs-protocol-0.3.3.py; see
// protocol.test.ts for the whole map, the fixtures, and where the suite's next revision's answer
// is accepted too (here: the JSONP guard prefix, the EventSource charset, Cache-Control, CORS).
//
// Added from the suite's next revision (sockjs-protocol.py, not in 0.3.3): HtmlFile and
// JsonPolling test_invalid_callback (a callback with characters outside [a-zA-Z0-9-_.] is a 500).
// Its other new cases (test_sending_empty_frame and the like) are not here.
import { describe, expect, it } from 'vitest';
import {
  GET,
  POST,
  contentType,
  expect404,
  expectCors,
  expectNoCookie,
  expectNotCached,
  expectOptions,
  header,
  sessionId,
  sockjsFixture,
  type HttpResult,
  type StreamingResponse,
  withoutJsonpGuard,
} from './support.js';

const sockjs = sockjsFixture();

const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };

// XhrPolling: `/*/*/xhr`, `/*/*/xhr_send`
describe('XhrPolling', () => {
  it('test_options: OPTIONS on xhr and xhr_send is a cacheable CORS preflight answer', async () => {
    const base = await sockjs.baseUrl('echo');
    for (const suffix of ['/xhr', '/xhr_send']) await expectOptions(base + '/abc/abc' + suffix, 'OPTIONS, POST');
  });

  it('test_transport: o, then xhr_send (204, text/plain), then the message, all uncached with CORS', async () => {
    const url = (await sockjs.baseUrl('echo')) + '/000/' + sessionId();
    let r = await POST(url + '/xhr');
    expect(r.status).toBe(200);
    expect(r.body).toBe('o\n');
    expect(contentType(r)).toBe('application/javascript;charset=UTF-8');
    expectCors(r);
    // iOS 6 caches POSTs.
    expectNotCached(r);

    r = await POST(url + '/xhr_send', { body: '["x"]' });
    expect(r.status).toBe(204);
    expect(r.body).toBe('');
    // text/plain even on a 204: Firefox/Firebug otherwise takes the answer for XML.
    expect(contentType(r)).toBe('text/plain;charset=UTF-8');
    expectCors(r);
    expectNotCached(r);

    r = await POST(url + '/xhr');
    expect(r.status).toBe(200);
    expect(r.body).toBe('a["x"]\n');
  });

  it('test_invalid_session: xhr_send to a session that does not exist is 404', async () => {
    expect404(await POST((await sockjs.baseUrl('echo')) + '/000/' + sessionId() + '/xhr_send', { body: '["x"]' }));
  });

  it('test_invalid_json: broken JSON and an empty body are 500s that leave the session working', async () => {
    const url = (await sockjs.baseUrl('echo')) + '/000/' + sessionId();
    let r = await POST(url + '/xhr');
    expect(r.status).toBe(200);
    expect(r.body).toBe('o\n');

    r = await POST(url + '/xhr_send', { body: '["x' });
    expect(r.status).toBe(500);
    expect(r.body).toContain('Broken JSON encoding.');

    r = await POST(url + '/xhr_send', { body: '' });
    expect(r.status).toBe(500);
    expect(r.body).toContain('Payload expected.');

    r = await POST(url + '/xhr_send', { body: '["a"]' });
    expect(r.body).toBe('');
    expect(r.status).toBe(204);

    r = await POST(url + '/xhr');
    expect(r.body).toBe('a["a"]\n');
    expect(r.status).toBe(200);
  });

  it('test_content_types: xhr_send takes its body whatever the Content-Type', async () => {
    const url = (await sockjs.baseUrl('echo')) + '/000/' + sessionId();
    let r = await POST(url + '/xhr');
    expect(r.body).toBe('o\n');

    const ctypes = ['text/plain', 'T', 'application/json', 'application/xml', '', 'application/json; charset=utf-8', 'text/xml; charset=utf-8', 'text/xml'];
    for (const ct of ctypes) {
      r = await POST(url + '/xhr_send', { body: '["a"]', headers: { 'Content-Type': ct } });
      expect(r.status, `Content-Type ${JSON.stringify(ct)}`).toBe(204);
      expect(r.body).toBe('');
    }

    r = await POST(url + '/xhr');
    expect(r.status).toBe(200);
    expect(r.body).toBe('a[' + ctypes.map(() => '"a"').join(',') + ']\n');
  });

  it('test_request_headers_cors: Access-Control-Request-Headers is echoed as Access-Control-Allow-Headers', async () => {
    const base = await sockjs.baseUrl('echo');
    let r = await POST(base + '/000/' + sessionId() + '/xhr', { headers: { 'Access-Control-Request-Headers': 'a, b, c' } });
    expect(r.status).toBe(200);
    expectCors(r);
    expect(header(r, 'access-control-allow-headers')).toBe('a, b, c');

    r = await POST(base + '/000/' + sessionId() + '/xhr', { headers: { 'Access-Control-Request-Headers': '' } });
    expect(r.status).toBe(200);
    expectCors(r);
    expect(header(r, 'access-control-allow-headers') ?? '').toBe('');

    r = await POST(base + '/000/' + sessionId() + '/xhr');
    expect(r.status).toBe(200);
    expectCors(r);
    expect(header(r, 'access-control-allow-headers') ?? '').toBe('');
  });
});

// XhrStreaming: `/*/*/xhr_streaming`
describe('XhrStreaming', () => {
  it('test_options: OPTIONS on xhr_streaming is a cacheable CORS preflight answer', async () => {
    await expectOptions((await sockjs.baseUrl('echo')) + '/abc/abc/xhr_streaming', 'OPTIONS, POST');
  });

  it('test_transport: a 2048-byte "h" prelude, o, then each message as it is sent', async () => {
    const url = (await sockjs.baseUrl('echo')) + '/000/' + sessionId();
    const r = await sockjs.openStream('POST', url + '/xhr_streaming');
    expect(r.status).toBe(200);
    expect(contentType(r)).toBe('application/javascript;charset=UTF-8');
    expectCors(r);
    expectNotCached(r);

    expect(await r.next('\n')).toBe('h'.repeat(2048) + '\n');
    expect(await r.next('\n')).toBe('o\n');

    const r1 = await POST(url + '/xhr_send', { body: '["x"]' });
    expect(r1.status).toBe(204);
    expect(r1.body).toBe('');

    expect(await r.next('\n')).toBe('a["x"]\n');
    await r.close();
  });

  it('test_response_limit: the response ends once it has carried 4096 bytes (the test server limit)', async () => {
    const url = (await sockjs.baseUrl('echo')) + '/000/' + sessionId();
    const r = await sockjs.openStream('POST', url + '/xhr_streaming');
    expect(r.status).toBe(200);
    expect(await r.next('\n')).toBeTruthy(); // prelude
    expect(await r.next('\n')).toBe('o\n');

    // 31 frames of 134 bytes: the 31st crosses 4096.
    const msg = '"' + 'x'.repeat(128) + '"';
    for (let i = 0; i < 31; i++) {
      const r1 = await POST(url + '/xhr_send', { body: '[' + msg + ']' });
      expect(r1.status).toBe(204);
      expect(await r.next('\n'), `message ${i + 1}`).toBe('a[' + msg + ']\n');
    }

    expect(await r.rest()).toBe('');
  });
});

// EventSource: `/*/*/eventsource`
describe('EventSource', () => {
  it('test_transport: a CRLF prelude, then "data: <frame>" events, uncached', async () => {
    const url = (await sockjs.baseUrl('echo')) + '/000/' + sessionId();
    const r = await sockjs.openStream('GET', url + '/eventsource');
    expect(r.status).toBe(200);
    // 0.3.3 names the charset; its next revision does not. Either passes.
    expect(['text/event-stream;charset=UTF-8', 'text/event-stream']).toContain(contentType(r));
    expectNotCached(r);

    // A new line first, for an Opera bug.
    expect(await r.next('\r\n')).toBe('\r\n');
    expect(await r.next('\r\n\r\n')).toBe('data: o\r\n\r\n');

    let r1 = await POST(url + '/xhr_send', { body: '["x"]' });
    expect(r1.body).toBe('');
    expect(r1.status).toBe(204);
    expect(await r.next('\r\n\r\n')).toBe('data: a["x"]\r\n\r\n');

    // Leading spaces, new lines and NUL stay inside the JSON encoding.
    r1 = await POST(url + '/xhr_send', { body: '["  \\u0000\\n\\r "]' });
    expect(r1.body).toBe('');
    expect(r1.status).toBe(204);
    expect(await r.next('\r\n\r\n')).toBe('data: a["  \\u0000\\n\\r "]\r\n\r\n');

    await r.close();
  });

  it('test_response_limit: the response ends once it has carried 4096 bytes', async () => {
    const url = (await sockjs.baseUrl('echo')) + '/000/' + sessionId();
    const r = await sockjs.openStream('GET', url + '/eventsource');
    expect(r.status).toBe(200);
    expect(await r.next('\r\n')).toBeTruthy(); // prelude
    expect(await r.next('\r\n\r\n')).toBe('data: o\r\n\r\n');

    const msg = '"' + 'x'.repeat(4096) + '"';
    const r1 = await POST(url + '/xhr_send', { body: '[' + msg + ']' });
    expect(r1.status).toBe(204);
    expect(await r.next('\r\n\r\n')).toBe('data: a[' + msg + ']\r\n\r\n');

    expect(await r.rest()).toBe('');
  });
});

// HtmlFile: `/*/*/htmlfile`
describe('HtmlFile', () => {
  const head = (callback: string): string =>
    [
      '<!doctype html>',
      '<html><head>',
      '  <meta http-equiv="X-UA-Compatible" content="IE=edge" />',
      '  <meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />',
      "</head><body><h2>Don't panic!</h2>",
      '  <script>',
      '    document.domain = document.domain;',
      `    var c = parent.${callback};`,
      '    c.start();',
      '    function p(d) {c.message(d);};',
      '    window.onload = function() {c.stop();};',
      '  </script>',
    ].join('\n');
  /** Where the first frame starts: the page before it is the prelude. */
  const FIRST_FRAME = '<script>\np(';

  it('test_transport: the page head padded past 1 KiB, then one <script> per frame', async () => {
    const url = (await sockjs.baseUrl('echo')) + '/000/' + sessionId();
    const r = await sockjs.openStream('GET', url + '/htmlfile?c=%63allback');
    expect(r.status).toBe(200);
    expect(contentType(r)).toBe('text/html;charset=UTF-8');
    expectNotCached(r);

    const d = await r.before(FIRST_FRAME);
    expect(d.trim()).toBe(head('callback'));
    expect(d.length).toBeGreaterThan(1024);
    expect(await r.next('</script>\r\n')).toBe('<script>\np("o");\n</script>\r\n');

    const r1 = await POST(url + '/xhr_send', { body: '["x"]' });
    expect(r1.body).toBe('');
    expect(r1.status).toBe(204);
    expect(await r.next('</script>\r\n')).toBe('<script>\np("a[\\"x\\"]");\n</script>\r\n');
    await r.close();
  });

  it('test_no_callback: without ?c= it is a 500', async () => {
    const r = await GET((await sockjs.baseUrl('echo')) + '/a/a/htmlfile');
    expect(r.status).toBe(500);
    expect(r.body).toContain('"callback" parameter required');
  });

  it('test_invalid_callback (next suite revision): a callback outside [a-zA-Z0-9-_.] is a 500', async () => {
    const base = await sockjs.baseUrl('echo');
    for (const callback of ['%20', '*', 'abc(', 'abc%28']) {
      const r = await GET(base + '/a/a/htmlfile?c=' + callback);
      expect(r.status, callback).toBe(500);
      expect(r.body).toContain('invalid "callback" parameter');
    }
  });

  it('test_response_limit: the response ends once it has carried 4096 bytes', async () => {
    const url = (await sockjs.baseUrl('echo')) + '/000/' + sessionId();
    const r = await sockjs.openStream('GET', url + '/htmlfile?c=callback');
    expect(r.status).toBe(200);
    expect(await r.before(FIRST_FRAME)).toBeTruthy(); // prelude
    expect(await r.next('</script>\r\n')).toBe('<script>\np("o");\n</script>\r\n');

    const msg = 'x'.repeat(4096);
    const r1 = await POST(url + '/xhr_send', { body: '["' + msg + '"]' });
    expect(r1.status).toBe(204);
    expect(await r.next('</script>\r\n')).toBe('<script>\np("a[\\"' + msg + '\\"]");\n</script>\r\n');

    expect(await r.rest()).toBe('');
  });
});

// JsonpPolling: `/*/*/jsonp`, `/*/*/jsonp_send`
describe('JsonPolling', () => {
  it('test_transport: callback("o"), jsonp_send answers "ok", then callback("a[...]"), all uncached', async () => {
    const url = (await sockjs.baseUrl('echo')) + '/000/' + sessionId();
    let r = await GET(url + '/jsonp?c=%63allback');
    expect(r.status).toBe(200);
    expect(contentType(r)).toBe('application/javascript;charset=UTF-8');
    expectNotCached(r);
    expect(withoutJsonpGuard(r.body)).toBe('callback("o");\r\n');

    r = await POST(url + '/jsonp_send', { body: 'd=%5B%22x%22%5D', headers: FORM });
    // Konqueror mishandles a 204, hence a 200 "ok".
    expect(r.body).toBe('ok');
    expect(r.status).toBe(200);
    expect(contentType(r)).toBe('text/plain;charset=UTF-8');
    expectNotCached(r);

    r = await GET(url + '/jsonp?c=%63allback');
    expect(r.status).toBe(200);
    expect(withoutJsonpGuard(r.body)).toBe('callback("a[\\"x\\"]");\r\n');
  });

  it('test_no_callback: without ?c= it is a 500', async () => {
    const r = await GET((await sockjs.baseUrl('echo')) + '/a/a/jsonp');
    expect(r.status).toBe(500);
    expect(r.body).toContain('"callback" parameter required');
  });

  it('test_invalid_callback (next suite revision): a callback outside [a-zA-Z0-9-_.] is a 500', async () => {
    const base = await sockjs.baseUrl('echo');
    for (const callback of ['%20', '*', 'abc(', 'abc%28']) {
      const r = await GET(base + '/a/a/jsonp?c=' + callback);
      expect(r.status, callback).toBe(500);
      expect(r.body).toContain('invalid "callback" parameter');
    }
  });

  it('test_invalid_json: broken JSON and missing payloads are 500s that leave the session working', async () => {
    const url = (await sockjs.baseUrl('echo')) + '/000/' + sessionId();
    let r = await GET(url + '/jsonp?c=x');
    expect(withoutJsonpGuard(r.body)).toBe('x("o");\r\n');

    r = await POST(url + '/jsonp_send', { body: 'd=%5B%22x', headers: FORM });
    expect(r.status).toBe(500);
    expect(r.body).toContain('Broken JSON encoding.');

    for (const data of ['', 'd=', 'p=p']) {
      r = await POST(url + '/jsonp_send', { body: data, headers: FORM });
      expect(r.status, JSON.stringify(data)).toBe(500);
      expect(r.body).toContain('Payload expected.');
    }

    r = await POST(url + '/jsonp_send', { body: 'd=%5B%22b%22%5D', headers: FORM });
    expect(r.body).toBe('ok');

    r = await GET(url + '/jsonp?c=x');
    expect(r.status).toBe(200);
    expect(withoutJsonpGuard(r.body)).toBe('x("a[\\"b\\"]");\r\n');
  });

  it('test_content_types: jsonp_send takes a form-encoded d= or a plain body', async () => {
    const url = (await sockjs.baseUrl('echo')) + '/000/' + sessionId();
    let r = await GET(url + '/jsonp?c=x');
    expect(withoutJsonpGuard(r.body)).toBe('x("o");\r\n');

    r = await POST(url + '/jsonp_send', { body: 'd=%5B%22abc%22%5D', headers: FORM });
    expect(r.body).toBe('ok');
    // Not form-encoded: taken as it is, so %61 stays.
    r = await POST(url + '/jsonp_send', { body: '["%61bc"]', headers: { 'Content-Type': 'text/plain' } });
    expect(r.body).toBe('ok');

    r = await GET(url + '/jsonp?c=x');
    expect(r.status).toBe(200);
    expect(withoutJsonpGuard(r.body)).toBe('x("a[\\"abc\\",\\"%61bc\\"]");\r\n');
  });

  it('test_close: a closed session answers x("c[3000,...]") to every poll', async () => {
    const url = (await sockjs.baseUrl('close')) + '/000/' + sessionId();
    let r = await GET(url + '/jsonp?c=x');
    expect(withoutJsonpGuard(r.body)).toBe('x("o");\r\n');

    r = await GET(url + '/jsonp?c=x');
    expect(withoutJsonpGuard(r.body)).toBe('x("c[3000,\\"Go away!\\"]");\r\n');

    r = await GET(url + '/jsonp?c=x');
    expect(withoutJsonpGuard(r.body)).toBe('x("c[3000,\\"Go away!\\"]");\r\n');
  });
});

// JSESSIONID cookie: for load balancers that stick sessions only on it; opt-in (cookie_needed_echo).
describe('JsessionidCookie', () => {
  /** `verify_cookie`: `JSESSIONID=dummy; path=/` unless the request brought one. */
  function expectCookie(r: HttpResult | StreamingResponse, value = 'dummy'): void {
    const cookie = header(r, 'set-cookie') ?? '';
    const parts = cookie.split(';');
    expect(parts[0].trim(), cookie).toBe('JSESSIONID=' + value);
    expect(parts[1]?.toLowerCase().trim(), cookie).toBe('path=/');
  }

  it('test_basic: /info says cookie_needed: true and sets no cookie itself', async () => {
    const r = await GET((await sockjs.baseUrl('cookie_needed_echo')) + '/info');
    expect(r.status).toBe(200);
    expectNoCookie(r);
    expect((JSON.parse(r.body) as Record<string, unknown>).cookie_needed).toBe(true);
  });

  it('test_xhr: xhr sets JSESSIONID=dummy, or echoes the one the request brought', async () => {
    const base = await sockjs.baseUrl('cookie_needed_echo');
    let r = await POST(base + '/000/' + sessionId() + '/xhr');
    expect(r.status).toBe(200);
    expect(r.body).toBe('o\n');
    expectCookie(r);

    r = await POST(base + '/000/' + sessionId() + '/xhr', { headers: { Cookie: 'JSESSIONID=abcdef' } });
    expect(r.status).toBe(200);
    expect(r.body).toBe('o\n');
    expectCookie(r, 'abcdef');
  });

  it('test_xhr_streaming: xhr_streaming sets the cookie', async () => {
    const r = await sockjs.openStream('POST', (await sockjs.baseUrl('cookie_needed_echo')) + '/000/' + sessionId() + '/xhr_streaming');
    expect(r.status).toBe(200);
    expectCookie(r);
  });

  it('test_eventsource: eventsource sets the cookie', async () => {
    const r = await sockjs.openStream('GET', (await sockjs.baseUrl('cookie_needed_echo')) + '/000/' + sessionId() + '/eventsource');
    expect(r.status).toBe(200);
    expectCookie(r);
  });

  it('test_htmlfile: htmlfile sets the cookie', async () => {
    const r = await sockjs.openStream('GET', (await sockjs.baseUrl('cookie_needed_echo')) + '/000/' + sessionId() + '/htmlfile?c=%63allback');
    expect(r.status).toBe(200);
    expectCookie(r);
  });

  it('test_jsonp: jsonp and jsonp_send set the cookie', async () => {
    const url = (await sockjs.baseUrl('cookie_needed_echo')) + '/000/' + sessionId();
    let r = await GET(url + '/jsonp?c=%63allback');
    expect(r.status).toBe(200);
    expectCookie(r);
    expect(withoutJsonpGuard(r.body)).toBe('callback("o");\r\n');

    r = await POST(url + '/jsonp_send', { body: 'd=%5B%22x%22%5D', headers: FORM });
    expect(r.body).toBe('ok');
    expect(r.status).toBe(200);
    expectCookie(r);
  });
});
