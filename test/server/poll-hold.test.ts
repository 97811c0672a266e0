import { describe, expect, it } from 'vitest';
import request from 'supertest';
import { Heartbeats } from '../../server/heartbeats.js';
import { closeAfterEach, startServer } from '../support/harness.js';
import { query, rawHandshake } from '../support/raw-session.js';

const track = closeAfterEach();

async function timedPoll(url: string, server: { http: Parameters<typeof request>[0] }): Promise<{ text: string; ms: number }> {
  const t0 = Date.now();
  const res = await request(server.http).get(url);
  return { text: res.text, ms: Date.now() - t0 };
}

describe('held polls', () => {
  it('are answered empty within one heartbeat, and then held a whole interval each', async () => {
    const interval = 1000;
    const server = track(await startServer({ pingInterval: interval, pingTimeout: 2000 }));
    const hs = await rawHandshake(server);
    const url = `/ferry/v1/poll?${query(hs, '&e=1')}`;
    expect((await timedPoll(url, server)).text).toBe('[]'); // a new transport's first poll: at once
    const first = await timedPoll(url, server);
    expect(first.text).toBe('[]');
    expect(first.ms).toBeLessThan(interval + 400);
    // the next poll arrives just after its heartbeat slot ticked: held about a whole interval
    const second = await timedPoll(url, server);
    expect(second.text).toBe('[]');
    expect(second.ms).toBeGreaterThan(interval * 0.7);
    expect(second.ms).toBeLessThan(interval + 400);
    expect(server.ferry.sessionCount).toBe(1);
  });
});

describe('Heartbeats', () => {
  it('pings every member once per interval, spread over the interval', async () => {
    const beats = new Heartbeats();
    const interval = 800;
    const times = new Map<number, number[]>();
    const t0 = Date.now();
    const members = Array.from({ length: 80 }, (_, i) => ({ ping: () => (times.get(i) ?? times.set(i, []).get(i))!.push(Date.now() - t0) }));
    for (const m of members) beats.add(interval, m);
    await new Promise((resolve) => setTimeout(resolve, interval * 2 + 150));
    beats.stop();
    for (let i = 0; i < members.length; i++) {
      const pings = times.get(i) ?? [];
      expect(pings.length).toBeGreaterThanOrEqual(2);
      expect(pings.length).toBeLessThanOrEqual(3);
      expect(pings[0]).toBeLessThanOrEqual(interval + 250);
      for (let k = 1; k < pings.length; k++) expect(Math.abs(pings[k] - pings[k - 1] - interval)).toBeLessThan(250);
    }
    // not all at once: the first pings fall in several distinct ticks
    const ticks = new Set(members.map((_, i) => Math.round((times.get(i) as number[])[0] / 50)));
    expect(ticks.size).toBeGreaterThanOrEqual(6);
  });

  it('removing a member stops its pings and the last one stops the timer', async () => {
    const beats = new Heartbeats();
    let pinged = 0;
    const member = { ping: () => pinged++ };
    beats.add(200, member);
    beats.remove(200, member);
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect(pinged).toBe(0);
    beats.stop();
  });
});

describe('the resume window', () => {
  it('still runs out while sends keep arriving without a downstream', async () => {
    // a session's one deadline timer is its resume window while no transport is attached; a send
    // (which counts as a sign of life, clearing a pending pong) must not cancel it
    const resumeWindow = 800;
    const server = track(await startServer({ resumeWindow }));
    const hs = await rawHandshake(server);
    const t0 = Date.now();
    let seq = 0;
    let answers: string[] = [];
    while (server.ferry.sessionCount > 0 && Date.now() - t0 < resumeWindow * 3) {
      const res = await request(server.http).post(`/ferry/v1/send?${query(hs)}`).set('Content-Type', 'text/plain').send(JSON.stringify([['m', ++seq, 'x']]));
      answers.push(res.status === 200 ? res.text : String(res.status));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const ended = Date.now() - t0;
    expect(server.ferry.sessionCount).toBe(0);
    expect(ended).toBeGreaterThan(resumeWindow * 0.8);
    expect(ended).toBeLessThan(resumeWindow + 600);
    // while it lived, each send was accepted and told the client it has no downstream
    answers = answers.filter((a) => a.startsWith('['));
    expect(answers.length).toBeGreaterThan(3);
    expect(answers[0]).toContain('"detached"');
  });
});
