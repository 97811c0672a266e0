// SockJS protocol 0.3.3 conformance, part 1: the static URLs, sessions and framing, JSON encoding.
//
// A port to vitest of the official suite, sockjs/sockjs-protocol `sockjs-protocol-0.3.3.py`
// (Python 2, not runnable here). Every `describe` is one Python test class and every `it` one of its
// methods, in the suite's order. The suite is split by what it covers:
//   protocol.test.ts         BaseUrlGreeting, IframePage, InfoTest, SessionURLs, Protocol, JSONEncoding
//   websocket.test.ts        WebsocketHttpErrors, WebsocketHybi10, RawWebsocket
//   http-transports.test.ts  XhrPolling, XhrStreaming, EventSource, HtmlFile, JsonPolling, JsessionidCookie
//   closing.test.ts          HandlingClose, Http10, Http11
//
// The suite's four services (`echo`, `close`, `disabled_websocket_echo`, `cookie_needed_echo`) are
// one Ferry server each, on ports of their own, started fresh for each test that uses them
// (support.ts). Because every test gets new servers, the suite's "not more often than once in five
// seconds" does not apply. The endpoints use responseLimit 4096, as the suite asks of a test server,
// and the protocol's usual heartbeatDelay 25 s and disconnectDelay 5 s: no 0.3.3 case waits for
// either (Protocol.test_simpleSession describes heartbeats and the session timeout and then `pass`es).
//
// Not ported, across the four files:
//   - WebsocketHixie76, all six cases (test_transport, test_close, test_empty_frame,
//     test_reuseSessionId, test_haproxy, test_broken_json): hixie-76/hybi-00 is a 2010 draft that
//     browsers dropped in 2011-12 for RFC 6455, and Node's `ws` server does not speak it.
//   - The Sec-WebSocket-Version '7' variants of WebsocketHybi10.test_headersSanity and
//     test_firefox_602_connection_header: hybi-07 was Firefox 6 only, and `ws` answers any version
//     but 8 and 13 with 400. Those cases run with 8 and 13 (the Firefox case with 13, keeping its
//     point: the "Connection: keep-alive, Upgrade" header, which Firefox still sends).
//
// Added or strengthened: HtmlFile and JsonPolling test_invalid_callback come from the suite's next
// revision (http-transports.test.ts); WebsocketHttpErrors.test_invalidConnectionHeader checks the
// error text, which the suite's always-true assertion did not (websocket.test.ts).
//
// Accepted in either of two forms: a few answers changed in the suite's next revision
// (sockjs-protocol.py after 0.3.3, which sockjs-node 0.3.24 and sockjs-client 1.x follow) for
// reasons that hold today, so 0.3.3's form would be obsolete. Each check accepts 0.3.3's exact
// answer or the next revision's exact answer, nothing else:
//   - the iframe page (IframePage): the next revision's page is the one sockjs-client 1.x bootstraps;
//   - JSONP bodies (JsonPolling, JsessionidCookie.test_jsonp): the next revision prefixes
//     the callback with an empty comment against the "Rosetta Flash" attack;
//   - CORS without an Origin (verify_cors): the next revision sends no
//     Access-Control-Allow-Credentials with "*", which browsers refuse anyway; for Origin "null"
//     it echoes "null" (InfoTest.test_options_null_origin, verify_options);
//   - Cache-Control of uncached answers (verify_not_cached): the next revision adds no-transform;
//   - the EventSource content type: the next revision drops "; charset=UTF-8".
//
// Where the suite reads one HTTP chunk per `read()`, these tests read the body as a stream and
// check each expected piece in order (support.ts, StreamingResponse): how writes fall into chunks
// is Node's business, not the protocol's. Http11.test_streaming still checks the chunked framing.
import { describe, expect, it } from 'vitest';
import { GET, OPTIONS, POST, contentType, expect404, expectCors, expectLongCache, expectNoCookie, expectNotCached, expectOptions, header, sessionId, sockjsFixture } from './support.js';

const sockjs = sockjsFixture();

// Greeting url: `/`
describe('BaseUrlGreeting', () => {
  it('test_greeting: the base URL, with or without a slash, answers "Welcome to SockJS!"', async () => {
    const base = await sockjs.baseUrl('echo');
    for (const url of [base, base + '/']) {
      const r = await GET(url);
      expect(r.status, url).toBe(200);
      expect(contentType(r)).toBe('text/plain;charset=UTF-8');
      expect(r.body).toBe('Welcome to SockJS!\n');
      expectNoCookie(r);
    }
  });

  it('test_notFound: other simple paths are 404', async () => {
    const base = await sockjs.baseUrl('echo');
    for (const suffix of ['/a', '/a.html', '//', '///', '/a/a', '/a/a/', '/a', '/a/']) {
      expect((await GET(base + suffix)).status, suffix).toBe(404);
    }
  });
});

// IFrame page: `/iframe*.html`
describe('IframePage', () => {
  const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // The page must be exactly this, but for the sockjs_url, which is configurable. 0.3.3's page sets
  // `_sockjs_onload` before loading SockJS (the 0.3 client calls it); the suite's next revision loads
  // SockJS first and then calls SockJS.bootstrap_iframe(), which is what sockjs-client 1.x needs.
  // Either passes.
  const page = (beforeUrl: string[], afterUrl: string[]): RegExp => {
    const common = (lines: string[]): string => escape(lines.join('\n'));
    return new RegExp('^' + common(beforeUrl) + '([^"]*)' + common(afterUrl) + '$');
  };
  const head = ['<!DOCTYPE html>', '<html>', '<head>', '  <meta http-equiv="X-UA-Compatible" content="IE=edge" />', '  <meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />'];
  const body = ['</head>', '<body>', "  <h2>Don't panic!</h2>", "  <p>This is a SockJS hidden iframe. It's used for cross domain magic.</p>", '</body>', '</html>'];
  const iframeBodies = [
    page(
      [...head, '  <script>', '    document.domain = document.domain;', '    _sockjs_onload = function(){SockJS.bootstrap_iframe();};', '  </script>', '  <script src="'],
      ['"></script>', ...body],
    ),
    page([...head, '  <script src="'], ['"></script>', '  <script>', '    document.domain = document.domain;', '    SockJS.bootstrap_iframe();', '  </script>', ...body]),
  ];

  /** `verify`: 200, text/html, strongly cacheable with an ETag and no Last-Modified, the exact page, no cookie. */
  async function verify(url: string): Promise<void> {
    const r = await GET(url);
    expect(r.status, url).toBe(200);
    expect(contentType(r)).toBe('text/html;charset=UTF-8');
    expectLongCache(r);
    expect(header(r, 'etag')).toBeTruthy();
    expect(header(r, 'last-modified') ?? '').toBe('');
    const match = iframeBodies.map((pattern) => pattern.exec(r.body.trim())).find((found) => found !== null);
    expect(match, r.body).toBeDefined();
    const sockjsUrl = match?.[1] ?? '';
    expect(sockjsUrl.startsWith('/') || sockjsUrl.startsWith('http'), sockjsUrl).toBe(true);
    expectNoCookie(r);
  }

  it('test_simpleUrl: /iframe.html is served', async () => {
    await verify((await sockjs.baseUrl('echo')) + '/iframe.html');
  });

  it('test_versionedUrl: versioned names serve the same page', async () => {
    const base = await sockjs.baseUrl('echo');
    for (const suffix of ['/iframe-a.html', '/iframe-.html', '/iframe-0.1.2.html', '/iframe-0.1.2abc-dirty.2144.html']) await verify(base + suffix);
  });

  it('test_queriedUrl: a query string (cache busting) changes nothing', async () => {
    const base = await sockjs.baseUrl('echo');
    for (const suffix of ['/iframe-a.html?t=1234', '/iframe-0.1.2.html?t=123414', '/iframe-0.1.2abc-dirty.2144.html?t=qweqweq123']) await verify(base + suffix);
  });

  it('test_invalidUrl: malformed names are 404', async () => {
    const base = await sockjs.baseUrl('echo');
    for (const suffix of ['/iframe.htm', '/iframe', '/IFRAME.HTML', '/IFRAME', '/iframe.HTML', '/iframe.xml', '/iframe-/.html']) {
      expect((await GET(base + suffix)).status, suffix).toBe(404);
    }
  });

  it('test_cacheability: the ETag is stable and If-None-Match gets a bodiless 304', async () => {
    const base = await sockjs.baseUrl('echo');
    const r1 = await GET(base + '/iframe.html');
    const r2 = await GET(base + '/iframe.html');
    expect(header(r1, 'etag')).toBeTruthy();
    expect(header(r1, 'etag')).toBe(header(r2, 'etag'));

    const r = await GET(base + '/iframe.html', { headers: { 'If-None-Match': header(r1, 'etag') ?? '' } });
    expect(r.status).toBe(304);
    expect(header(r, 'content-type') ?? '').toBe('');
    expect(r.body).toBe('');
  });
});

// Info test: `/info`
describe('InfoTest', () => {
  const isEntropy = (value: unknown): boolean => Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 2 ** 32 - 1;

  it('test_basic: /info is uncached JSON with CORS, websocket, cookie_needed, origins and entropy', async () => {
    const r = await GET((await sockjs.baseUrl('echo')) + '/info');
    expect(r.status).toBe(200);
    expect(contentType(r)).toBe('application/json;charset=UTF-8');
    expectNoCookie(r);
    expectNotCached(r);
    expectCors(r);

    const data = JSON.parse(r.body) as Record<string, unknown>;
    expect(data.websocket).toBe(true);
    expect([true, false]).toContain(data.cookie_needed);
    expect(data.origins).toEqual(['*:*']);
    expect(isEntropy(data.entropy), String(data.entropy)).toBe(true);
  });

  it('test_entropy: two calls give two different numbers', async () => {
    const base = await sockjs.baseUrl('echo');
    const data1 = JSON.parse((await GET(base + '/info')).body) as Record<string, unknown>;
    const data2 = JSON.parse((await GET(base + '/info')).body) as Record<string, unknown>;
    expect(isEntropy(data1.entropy), String(data1.entropy)).toBe(true);
    expect(isEntropy(data2.entropy), String(data2.entropy)).toBe(true);
    expect(data1.entropy).not.toBe(data2.entropy);
  });

  it('test_options: OPTIONS /info is a cacheable CORS preflight answer', async () => {
    await expectOptions((await sockjs.baseUrl('echo')) + '/info', 'OPTIONS, GET');
  });

  it('test_options_null_origin: Origin "null" (a file:// page) is answered with "*"', async () => {
    const r = await OPTIONS((await sockjs.baseUrl('echo')) + '/info', { headers: { Origin: 'null' } });
    expect(r.status).toBe(204);
    expect(r.body).toBe('');
    // '*' in 0.3.3; the suite's next revision echoes "null". Either passes.
    expect(['*', 'null']).toContain(header(r, 'access-control-allow-origin'));
  });

  it('test_disabled_websocket: disabled_websocket_echo says websocket: false', async () => {
    const r = await GET((await sockjs.baseUrl('disabled_websocket_echo')) + '/info');
    expect(r.status).toBe(200);
    expect((JSON.parse(r.body) as Record<string, unknown>).websocket).toBe(false);
  });
});

// Top session URL: `/<server>/<session>`
describe('SessionURLs', () => {
  /** `verify`: a new xhr-polling session on `sessionPart` opens. */
  async function verify(base: string, sessionPart: string): Promise<void> {
    const r = await POST(base + sessionPart + '/xhr');
    expect(r.status, sessionPart).toBe(200);
    expect(r.body, sessionPart).toBe('o\n');
  }

  it('test_anyValue: any server and session id is accepted', async () => {
    const base = await sockjs.baseUrl('echo');
    await verify(base, '/a/a');
    for (const sessionPart of ['/_/_', '/1/1', '/abcdefgh_i-j%20/abcdefg_i-j%20']) await verify(base, sessionPart);
  });

  it('test_invalidPaths: empty ids, ids with dots and paths with fewer or more parts are 404', async () => {
    const base = await sockjs.baseUrl('echo');
    for (const suffix of ['//', '/a./a', '/a/a.', '/./.', '/', '///']) {
      expect404(await GET(base + suffix + '/xhr'));
      expect404(await POST(base + suffix + '/xhr'));
    }
  });

  it('test_ignoringServerId: only the session id names a session', async () => {
    const base = await sockjs.baseUrl('echo');
    const id = sessionId();
    let r = await POST(base + '/000/' + id + '/xhr');
    expect(r.status).toBe(200);
    expect(r.body).toBe('o\n');

    r = await POST(base + '/000/' + id + '/xhr_send', { body: '["a"]' });
    expect(r.status).toBe(204);
    expect(r.body).toBe('');

    r = await POST(base + '/999/' + id + '/xhr');
    expect(r.status).toBe(200);
    expect(r.body).toBe('a["a"]\n');
  });
});

// Protocol and framing
describe('Protocol', () => {
  it('test_simpleSession: open frame, xhr_send, the echo as an array frame, 404 for an unknown session, 2010 for a second receiver', async () => {
    const base = await sockjs.baseUrl('echo');
    const transUrl = base + '/000/' + sessionId();
    let r = await POST(transUrl + '/xhr');
    expect(r.status).toBe(200);
    expect(r.body).toBe('o\n');

    r = await POST(transUrl + '/xhr_send', { body: '["a"]' });
    expect(r.status).toBe(204);
    expect(r.body).toBe('');

    r = await POST(transUrl + '/xhr');
    expect(r.status).toBe(200);
    expect(r.body).toBe('a["a"]\n');

    // Sending to a session that does not exist.
    expect404(await POST(base + '/000/bad_session/xhr_send', { body: '["a"]' }));

    // Two receiving connections may not wait on one session: the second gets a close frame.
    const r1 = await sockjs.sendUnread('POST', transUrl + '/xhr');
    await new Promise((resolve) => setTimeout(resolve, 250)); // the suite's time.sleep(0.25)
    const r2 = await POST(transUrl + '/xhr');
    expect(r2.body).toBe('c[2010,"Another connection still open"]\n');
    expect(r2.status).toBe(200);
    await r1.close();
  });

  it('test_closeSession: a session the server closed answers c[3000,"Go away!"] to every poll', async () => {
    const transUrl = (await sockjs.baseUrl('close')) + '/000/' + sessionId();
    let r = await POST(transUrl + '/xhr');
    expect(r.status).toBe(200);
    expect(r.body).toBe('o\n');

    r = await POST(transUrl + '/xhr');
    expect(r.status).toBe(200);
    expect(r.body).toBe('c[3000,"Go away!"]\n');

    // Until the session times out, the close frame is served again.
    r = await POST(transUrl + '/xhr');
    expect(r.status).toBe(200);
    expect(r.body).toBe('c[3000,"Go away!"]\n');
  });
});

// JSON Unicode Encoding
//
// The characters a client escapes (`escapable_by_client`), as inclusive [first, last] code unit
// ranges, transcribed from the suite's character class in its order (it lists a few twice).
const ESCAPABLE_BY_CLIENT: Array<[number, number]> = [
  [0x5c, 0x5c], [0x22, 0x22], [0x00, 0x1f], [0x7f, 0x9f], [0xad, 0xad], [0x600, 0x604], [0x70f, 0x70f],
  [0x17b4, 0x17b4], [0x17b5, 0x17b5], [0x2000, 0x20ff], [0xfeff, 0xfeff], [0xfff0, 0xffff], [0x00, 0x1f],
  [0xfffe, 0xfffe], [0xffff, 0xffff], [0x300, 0x333], [0x33d, 0x346], [0x34a, 0x34c], [0x350, 0x352],
  [0x357, 0x358], [0x35c, 0x362], [0x374, 0x374], [0x37e, 0x37e], [0x387, 0x387], [0x591, 0x5af],
  [0x5c4, 0x5c4], [0x610, 0x617], [0x653, 0x654], [0x657, 0x65b], [0x65d, 0x65e], [0x6df, 0x6e2],
  [0x6eb, 0x6ec], [0x730, 0x730], [0x732, 0x733], [0x735, 0x736], [0x73a, 0x73a], [0x73d, 0x73d],
  [0x73f, 0x741], [0x743, 0x743], [0x745, 0x745], [0x747, 0x747], [0x7eb, 0x7f1], [0x951, 0x951],
  [0x958, 0x95f], [0x9dc, 0x9dd], [0x9df, 0x9df], [0xa33, 0xa33], [0xa36, 0xa36], [0xa59, 0xa5b],
  [0xa5e, 0xa5e], [0xb5c, 0xb5d], [0xe38, 0xe39], [0xf43, 0xf43], [0xf4d, 0xf4d], [0xf52, 0xf52],
  [0xf57, 0xf57], [0xf5c, 0xf5c], [0xf69, 0xf69], [0xf72, 0xf76], [0xf78, 0xf78], [0xf80, 0xf83],
  [0xf93, 0xf93], [0xf9d, 0xf9d], [0xfa2, 0xfa2], [0xfa7, 0xfa7], [0xfac, 0xfac], [0xfb9, 0xfb9],
  [0x1939, 0x193a], [0x1a17, 0x1a17], [0x1b6b, 0x1b6b], [0x1cda, 0x1cdb], [0x1dc0, 0x1dcf], [0x1dfc, 0x1dfc],
  [0x1dfe, 0x1dfe], [0x1f71, 0x1f71], [0x1f73, 0x1f73], [0x1f75, 0x1f75], [0x1f77, 0x1f77], [0x1f79, 0x1f79],
  [0x1f7b, 0x1f7b], [0x1f7d, 0x1f7d], [0x1fbb, 0x1fbb], [0x1fbe, 0x1fbe], [0x1fc9, 0x1fc9], [0x1fcb, 0x1fcb],
  [0x1fd3, 0x1fd3], [0x1fdb, 0x1fdb], [0x1fe3, 0x1fe3], [0x1feb, 0x1feb], [0x1fee, 0x1fef], [0x1ff9, 0x1ff9],
  [0x1ffb, 0x1ffb], [0x1ffd, 0x1ffd], [0x2000, 0x2001], [0x20d0, 0x20d1], [0x20d4, 0x20d7], [0x20e7, 0x20e9],
  [0x2126, 0x2126], [0x212a, 0x212b], [0x2329, 0x232a], [0x2adc, 0x2adc], [0x302b, 0x302c], [0xaab2, 0xaab3],
  [0xf900, 0xfa0d], [0xfa10, 0xfa10], [0xfa12, 0xfa12], [0xfa15, 0xfa1e], [0xfa20, 0xfa20], [0xfa22, 0xfa22],
  [0xfa25, 0xfa26], [0xfa2a, 0xfa2d], [0xfa30, 0xfa6d], [0xfa70, 0xfad9], [0xfb1d, 0xfb1d], [0xfb1f, 0xfb1f],
  [0xfb2a, 0xfb36], [0xfb38, 0xfb3c], [0xfb3e, 0xfb3e], [0xfb40, 0xfb41], [0xfb43, 0xfb44], [0xfb46, 0xfb4e],
];

// The characters the server must send escaped (`escapable_by_server`).
const ESCAPABLE_BY_SERVER: Array<[number, number]> = [[0x00, 0x1f], [0x200c, 0x200f], [0x2028, 0x202f], [0x2060, 0x206f], [0xfff0, 0xffff]];

/** A JSON string literal of every code unit from `from` to 0xffff in `ranges`, each as a lower-case `\uXXXX`. */
function killerStringEscaped(ranges: Array<[number, number]>, from: number): string {
  const inRanges = (unit: number): boolean => ranges.some(([first, last]) => unit >= first && unit <= last);
  let escaped = '';
  for (let unit = from; unit <= 0xffff; unit++) if (inRanges(unit)) escaped += '\\u' + unit.toString(16).padStart(4, '0');
  return '"' + escaped + '"';
}

const CLIENT_KILLER_STRING_ESC = killerStringEscaped(ESCAPABLE_BY_CLIENT, 0);
const SERVER_KILLER_STRING_ESC = killerStringEscaped(ESCAPABLE_BY_SERVER, 255);

/** The JSON string literal inside an xhr-polling `a[...]` frame of one message ("skip framing, quotes and parenthesis"). */
function onlyMessageLiteral(body: string): string {
  expect(body.startsWith('a[') && body.endsWith(']\n'), JSON.stringify(body.slice(0, 80))).toBe(true);
  return body.slice(2, -2);
}

describe('JSONEncoding', () => {
  it('test_xhr_server_encodes: the server escapes, as \\uXXXX, every character it must', async () => {
    const transUrl = (await sockjs.baseUrl('echo')) + '/000/' + sessionId();
    let r = await POST(transUrl + '/xhr');
    expect(r.body).toBe('o\n');
    expect(r.status).toBe(200);

    // The characters sent raw, as UTF-8.
    const payload = '["' + (JSON.parse(SERVER_KILLER_STRING_ESC) as string) + '"]';
    r = await POST(transUrl + '/xhr_send', { body: payload });
    expect(r.status).toBe(204);

    r = await POST(transUrl + '/xhr');
    expect(r.status).toBe(200);
    expect(onlyMessageLiteral(r.body)).toBe(SERVER_KILLER_STRING_ESC);
  });

  it('test_xhr_server_decodes: what a client escapes comes back as the same characters', async () => {
    const transUrl = (await sockjs.baseUrl('echo')) + '/000/' + sessionId();
    let r = await POST(transUrl + '/xhr');
    expect(r.body).toBe('o\n');
    expect(r.status).toBe(200);

    r = await POST(transUrl + '/xhr_send', { body: '[' + CLIENT_KILLER_STRING_ESC + ']' });
    expect(r.status).toBe(204);

    r = await POST(transUrl + '/xhr');
    expect(r.status).toBe(200);
    expect(JSON.parse(onlyMessageLiteral(r.body))).toBe(JSON.parse(CLIENT_KILLER_STRING_ESC));
  });
});
