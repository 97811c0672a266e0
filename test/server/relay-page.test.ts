import http from 'node:http';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import type { ServerOptions } from '../../server/index.js';
import { relayPageHtml } from '../../server/relay-page.js';
import { closeAfterEach, startServer, type TestServer } from '../support/harness.js';
import { query, rawHandshake } from '../support/raw-session.js';

const APP = 'http://app.example:8080';

const track = closeAfterEach();

async function relayServer(allowedOrigins: ServerOptions['allowedOrigins'] = [APP]): Promise<TestServer> {
  return track(await startServer({ allowedOrigins }));
}

/** Values of `o` that are not exactly an http(s) origin, or try to break out of the header or page. */
const MALFORMED = [
  '',
  'null',
  '*',
  `${APP}/`,
  `${APP}/path`,
  `${APP}?x=1`,
  `${APP}#x`,
  'HTTP://APP.EXAMPLE:8080',
  'http://app.example:80',
  'http://user@app.example:8080',
  'http://app.example:99999',
  'http://[::1]:8080',
  'javascript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  `${APP}; script-src *`,
  `${APP} 'unsafe-inline'`,
  `${APP}\r\nX-Injected: 1`,
  'http://a"><script>alert(1)</script>',
  `http://app.example:8080\u2028`,
];

describe('relay page GET {path}/iframe.html?o=', () => {
  it('serves an allowed origin a page that only that origin may frame', async () => {
    const res = await request((await relayServer()).http).get(`/ferry/iframe.html?o=${encodeURIComponent(APP)}`).expect(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-security-policy']).toBe(
      `default-src 'none'; script-src 'self'; connect-src 'self'; frame-src 'self'; child-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors ${APP}`,
    );
    expect(res.headers['x-frame-options']).toBe(`ALLOW-FROM ${APP}`);
    expect(res.text).toContain(`<script type="application/json" id="ferry-relay-origin">"${APP}"</script>`);
    expect(res.text).toContain('<script type="module" src="/ferry/ferry-relay.js"></script><script nomodule src="/ferry/ferry-relay.legacy.js"></script>');
  });

  it('loads only the ES5 relay when asked with legacy=1', async () => {
    const res = await request((await relayServer()).http).get(`/ferry/iframe.html?o=${encodeURIComponent(APP)}&legacy=1`).expect(200);
    expect(res.text).toContain('<script src="/ferry/ferry-relay.legacy.js"></script>');
    expect(res.text).not.toContain('ferry-relay.js');
  });

  it('embeds the origin as a script-safe JSON string', () => {
    const html = relayPageHtml('/ferry', '</script><script>alert(1)</script>&\u2028', false);
    expect(html).toContain('"\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e\\u0026\\u2028"');
    expect(html.split('<script').length - 1).toBe(3);
  });

  it('refuses a well-formed origin that allowedOrigins does not allow, without echoing it', async () => {
    const res = await request((await relayServer()).http).get('/ferry/iframe.html?o=' + encodeURIComponent('https://evil.example')).expect(403);
    expect(res.body).toEqual({ error: 'origin_not_allowed', message: 'the o parameter names an origin that is not allowed' });
    expect(res.headers['content-security-policy']).toBeUndefined();
  });

  it('refuses a missing o with 400', async () => {
    const res = await request((await relayServer()).http).get('/ferry/iframe.html').expect(400);
    expect(res.body.error).toBe('bad_request');
  });

  it.each(MALFORMED)('rejects o=%j with 400 and never reflects it, even when every origin is allowed', async (o) => {
    const policies: ServerOptions['allowedOrigins'][] = [[APP], '*', () => true];
    for (const policy of policies) {
      const s = await startServer({ allowedOrigins: policy });
      try {
        const res = await request(s.http).get('/ferry/iframe.html?o=' + encodeURIComponent(o)).expect(400);
        expect(res.body.error).toBe('bad_request');
        if (o !== '') expect(res.text).not.toContain(o);
        expect(JSON.stringify(res.headers)).not.toContain('X-Injected');
        expect(res.headers['content-security-policy']).toBeUndefined();
      } finally {
        await s.close();
      }
    }
  });

  it('is GET only', async () => {
    await request((await relayServer()).http).post(`/ferry/iframe.html?o=${encodeURIComponent(APP)}`).expect(405);
  });

  it('still applies the request origin check to the page request itself', async () => {
    await request((await relayServer()).http)
      .get(`/ferry/iframe.html?o=${encodeURIComponent(APP)}`)
      .set('Sec-Fetch-Site', 'cross-site')
      .set('Referer', 'https://evil.example/page')
      .expect(403);
  });
});

function streamHeaders(url: string): Promise<{ status: number; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      resolve({ status: res.statusCode ?? 0, headers: res.headers });
      res.destroy();
    }).on('error', reject);
  });
}

describe('iframe stream opened by the relay (o parameter)', () => {
  it('lets the relay and the page above it frame the stream', async () => {
    const s = await relayServer();
    const hs = await rawHandshake(s);
    const { status, headers } = await streamHeaders(`${s.origin}/ferry/v1/iframe?${query(hs, `&e=1&c=7&o=${encodeURIComponent(APP)}`)}`);
    expect(status).toBe(200);
    expect(headers['content-security-policy']).toBe(`default-src 'none'; script-src 'unsafe-inline'; frame-ancestors 'self' ${APP}`);
    expect(headers['x-frame-options']).toBeUndefined();
  });

  it('keeps a stream without o same-origin only', async () => {
    const s = await relayServer();
    const hs = await rawHandshake(s);
    const { headers } = await streamHeaders(`${s.origin}/ferry/v1/iframe?${query(hs, '&e=1&c=7')}`);
    expect(headers['content-security-policy']).toBe("default-src 'none'; script-src 'unsafe-inline'; frame-ancestors 'self'");
    expect(headers['x-frame-options']).toBe('SAMEORIGIN');
  });

  it('refuses a stream whose o is not allowed', async () => {
    const s = await relayServer();
    const hs = await rawHandshake(s);
    const { status } = await streamHeaders(`${s.origin}/ferry/v1/iframe?${query(hs, `&e=1&c=7&o=${encodeURIComponent('https://evil.example')}`)}`);
    expect(status).toBe(403);
  });
});
