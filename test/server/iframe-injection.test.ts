import { describe, expect, it } from 'vitest';
import http from 'node:http';
import { IframeStreamDecoder } from '../../protocol/index.js';
import { closeAfterEach, startServer } from '../support/harness.js';
import { query, rawHandshake } from '../support/raw-session.js';

const track = closeAfterEach();

const HOSTILE = [
  '</script><script>parent.stolen=1</script>',
  '</SCRIPT ><img src=x onerror=alert(1)>',
  '<!-- <script>',
  ']]>"); alert(1); ("',
  'line\u2028separator\u2029paragraph',
  '\\"); alert(1); //',
  '&lt;script&gt;',
];

/** Reads an iframe stream until `count` message frames have arrived. */
function readStream(url: string, count: number): Promise<{ body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
        if (body.split('[\\"m\\",').length - 1 >= count) {
          res.destroy();
          resolve({ body, headers: res.headers });
        }
      });
    }).on('error', reject);
  });
}

describe('iframe streaming output', () => {
  it('escapes payloads so none can close the script, open markup or end the string', async () => {
    const server = track(await startServer({}, (socket) => HOSTILE.forEach((text) => socket.send(text))));
    const hs = await rawHandshake(server);
    const { body, headers } = await readStream(`${server.origin}/ferry/v1/iframe?${query(hs, '&e=1&c=7')}`, HOSTILE.length);
    expect(headers['content-type']).toBe('text/html; charset=utf-8');
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['cache-control']).toContain('no-store');
    expect(headers['content-security-policy']).toContain("default-src 'none'");

    // every script element is one of ours: `<script>f("…");</script>` with nothing between
    const afterPrelude = body.slice(body.indexOf('-->') + 3);
    const chunks = afterPrelude.split('\n').filter((line) => line.length > 0);
    for (const chunk of chunks) expect(chunk).toMatch(/^<script>f\("(?:[^"\\<>&\u2028\u2029]|\\.)*"\);<\/script>$/);
    expect(body).not.toMatch(/\u2028|\u2029/);
    expect(body.toLowerCase().split('<script').length - 1).toBe(chunks.length + 1);

    // and the client still decodes the exact payloads
    const packets = new IframeStreamDecoder().push(body);
    const texts = packets.flatMap((p) => (JSON.parse(p) as unknown[][]).filter((f) => f[0] === 'm').map((f) => f[2]));
    expect(texts).toEqual(HOSTILE);
  });

  it('pads the prelude past 1 KiB so browsers render early', async () => {
    const server = track(await startServer({}, (socket) => socket.send('x')));
    const hs = await rawHandshake(server);
    const { body } = await readStream(`${server.origin}/ferry/v1/iframe?${query(hs, '&e=1&c=7')}`, 1);
    expect(body.indexOf('-->')).toBeGreaterThan(1024);
    expect(body).toContain('parent.__ferry_iframe_7');
  });
});
