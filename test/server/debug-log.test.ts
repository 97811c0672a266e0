// Debug logging by the `debug` convention (issue 16): silent by default; `DEBUG=ferry:*` logs the
// server's and the Node client's decisions, one line each, without secrets; the browser client's
// `log` option gets the same lines.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { closeAfterEach, connectClient, startServer, waitFor } from '../support/harness.js';

const HOOKS = new URL('../support/ts-child/register.mjs', import.meta.url).href;
const CHILD = fileURLToPath(new URL('../support/debug-log-child.ts', import.meta.url));
const track = closeAfterEach();

function runChild(debug: string | undefined): Promise<{ out: string; err: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, DEBUG_COLORS: 'no' };
  delete env.DEBUG;
  if (debug !== undefined) env.DEBUG = debug;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', HOOKS, CHILD], { env, timeout: 20_000 }, (error, out, err) => (error ? reject(new Error(`${String(error)}\n${err}`)) : resolve({ out, err })));
  });
}

describe('debug logging', () => {
  it('DEBUG=ferry:* logs sessions, transports, refusals and the Node client\'s decisions, never a token', async () => {
    const { out, err } = await runChild('ferry:*');
    const { sid, token } = JSON.parse(out) as { sid: string; token: string };
    const lines = err.split('\n');
    const has = (pattern: RegExp): boolean => lines.some((line) => pattern.test(line));
    expect(has(new RegExp(`ferry:session ${sid} created on xhr-polling from 127\\.0\\.0\\.1, subprotocol chat`)), err).toBe(true);
    expect(has(new RegExp(`ferry:transport ${sid} upgraded xhr-polling → websocket`)), err).toBe(true);
    expect(has(new RegExp(`ferry:session ${sid} ended: 1000 client closed`)), err).toBe(true);
    expect(has(/ferry:refused unknown_session$/), err).toBe(true);
    expect(has(new RegExp(`ferry:client ${sid} opened on xhr-polling, subprotocol chat`)), err).toBe(true);
    expect(has(new RegExp(`ferry:client ${sid} upgraded to websocket`)), err).toBe(true);
    expect(has(new RegExp(`ferry:client ${sid} closed for good: client closed`)), err).toBe(true);
    expect(token.length).toBeGreaterThan(10);
    expect(err).not.toContain(token);
  });

  it('is silent without DEBUG, and DEBUG picks namespaces (ferry:client only here)', async () => {
    expect((await runChild(undefined)).err).toBe('');
    const { err } = await runChild('ferry:client');
    expect(err).toContain('ferry:client');
    expect(err).not.toMatch(/ferry:(session|transport|refused|cluster)/);
  });

  it('the client\'s log option gets the lines wherever it runs (a browser has no DEBUG)', async () => {
    const server = track(await startServer());
    const lines: string[] = [];
    const client = connectClient(server.origin, { transports: ['xhr-polling'], log: (line) => lines.push(line) });
    await waitFor(() => client.socket.state === 'open', 'open');
    client.socket.close();
    expect(lines).toEqual([`${client.socket.id} opened on xhr-polling`, `${client.socket.id} closed for good: client closed`]);
  });
});
