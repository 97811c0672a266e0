// Clients that try to make the server hold memory, against a real server process with a small heap
// (192 MiB, as an attacker would pick a small container). Each attack runs beside a well-behaved
// session that must get every echo exactly once, in order; the server must stay up and its memory
// (JS heap plus Buffers) stay bounded.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { connectClient, range, sequenceOf, waitFor, type RecordingClient } from '../support/harness.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/budget-server.mjs', import.meta.url));
const DIST = fileURLToPath(new URL('../../dist/server/index.js', import.meta.url));
const MiB = 1024 * 1024;
/** What the server may hold at its peak during an attack: far under its 192 MiB heap. */
const HELD_BOUND = 96 * MiB;

interface Stats {
  held: number;
  peak: number;
  sessions: number;
  closes: Record<string, number>;
}

interface BudgetServer {
  origin: string;
  child: ChildProcess;
  stats(gc?: boolean): Promise<Stats>;
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

async function startBudgetServer(): Promise<BudgetServer> {
  if (!existsSync(DIST)) throw new Error('dist/server is missing: run `npm run build` first (npm test does)');
  const child = spawn(process.execPath, ['--max-old-space-size=192', '--expose-gc', FIXTURE, '{}'], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout?.once('data', (chunk: Buffer) => resolve((JSON.parse(chunk.toString()) as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`server exited (${code}): ${stderr}`)));
  });
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    child,
    async stats(gc = false) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`server died (${child.exitCode ?? child.signalCode}): ${stderr}`);
      const res = await fetch(`${origin}/stats${gc ? '?gc=1' : ''}`);
      return (await res.json()) as Stats;
    },
  };
}

/** A well-behaved session: sends a numbered message every 20 ms while `run` goes on, then checks the echoes. */
async function alongside(server: BudgetServer, run: () => Promise<void>): Promise<void> {
  const control: RecordingClient = connectClient(server.origin, { transports: ['websocket'] });
  try {
    await waitFor(() => control.socket.state === 'open', 'the control session');
    let sent = 0;
    const ticker = setInterval(() => control.socket.send({ n: ++sent }), 20);
    try {
      await run();
    } finally {
      clearInterval(ticker);
    }
    await waitFor(() => control.received.length === sent, 'the control session’s echoes', 20_000);
    expect(sequenceOf(control.received)).toEqual(range(sent));
    expect(control.closes).toEqual([]);
  } finally {
    control.socket.close();
  }
}

/** A WebSocket that stops reading as soon as it is open: what it is sent piles up on the server. */
async function nonReadingSocket(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url);
  ws.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    ws.once('message', () => resolve()); // the first frame (open, or nothing for a candidate)
    ws.once('open', () => {
      if (url.includes('sid=')) resolve();
    });
    ws.once('error', reject);
  });
  ws.pause();
  return ws;
}

/** Sends `packet()` as fast as the socket takes it, for `ms`; stops early once the server closed it. */
async function flood(ws: WebSocket, ms: number, packet: (i: number) => string): Promise<number> {
  const until = Date.now() + ms;
  let i = 0;
  while (Date.now() < until && ws.readyState === WebSocket.OPEN) {
    ws.send(packet(++i));
    if (ws.bufferedAmount > 4 * MiB) await new Promise((resolve) => setTimeout(resolve, 5));
    else if (i % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  return i;
}

describe('a client cannot make the server hold unbounded memory (192 MiB heap)', () => {
  it('probes on a WebSocket candidate that never reads the answers: the candidate is dropped', async () => {
    const server = await startBudgetServer();
    await alongside(server, async () => {
      const hs = (await (await fetch(`${server.origin}/ferry/v1/handshake`, { method: 'POST' })).json()) as { sid: string; token: string };
      const ws = await nonReadingSocket(`ws://127.0.0.1:${new URL(server.origin).port}/ferry/v1/ws?sid=${hs.sid}&t=${hs.token}&e=2`);
      const probes = JSON.stringify(Array.from({ length: 500 }, (_, k) => ['probe', String(k).padStart(64, '0')]));
      const sent = await flood(ws, 3000, () => probes);
      ws.terminate();
      expect(sent).toBeGreaterThan(0);
    });
    const stats = await server.stats();
    expect(stats.peak).toBeLessThan(HELD_BOUND);
  }, 30_000);

  it('acks of echoes the socket never sent are a protocol error; the session ends', async () => {
    const server = await startBudgetServer();
    await alongside(server, async () => {
      const ws = await nonReadingSocket(`ws://127.0.0.1:${new URL(server.origin).port}/ferry/v1/ws`);
      const body = 'x'.repeat(1000);
      // 50 messages a packet, each echoed by the app, and an ack of every echo so far, unread
      await flood(ws, 3000, (i) => JSON.stringify([...Array.from({ length: 50 }, (_, k) => ['m', (i - 1) * 50 + k + 1, body]), ['a', i * 50]]));
      ws.terminate();
    });
    const stats = await server.stats();
    expect(stats.peak).toBeLessThan(HELD_BOUND);
    expect(stats.closes['protocol error']).toBe(1);
  }, 30_000);

  it('a client that never reads is closed at maxBufferedBytes and what it held is released at once', async () => {
    const server = await startBudgetServer();
    const baseline = (await server.stats(true)).held;
    await alongside(server, async () => {
      const ws = await nonReadingSocket(`ws://127.0.0.1:${new URL(server.origin).port}/ferry/v1/ws`);
      const body = 'y'.repeat(10_000);
      await flood(ws, 3000, (i) => JSON.stringify([['m', i, body]]));
      await waitFor(() => ws.readyState !== WebSocket.OPEN, 'the server to cut the non-reading socket', 5000).catch(() => {});
      const stats = await server.stats();
      expect(stats.closes['buffer overflow']).toBe(1);
      // released at once: nothing of the closed session is left after a collection (not 30 s later)
      const after = await server.stats(true);
      expect(after.held - baseline).toBeLessThan(4 * MiB);
      ws.terminate();
    });
    expect((await server.stats()).peak).toBeLessThan(HELD_BOUND);
  }, 30_000);
});
