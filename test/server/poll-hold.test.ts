import http from 'node:http';
import { describe, expect, it } from 'vitest';
import request from 'supertest';
import { Heartbeats } from '../../server/heartbeats.js';
import { closeAfterEach, startServer, waitFor } from '../support/harness.js';
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
    // a new session's first poll is held too (its handshake proved the path): up to one interval
    const opening = await timedPoll(url, server);
    expect(opening.text).toBe('[]');
    expect(opening.ms).toBeLessThan(interval + 400);
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

describe('the first poll of a transport', () => {
  it("of a new session's first transport is held, and carries the answer to what the client sent beside it", async () => {
    const server = track(await startServer()); // echoes; pingInterval 20 s
    const hs = await rawHandshake(server);
    const opening = timedPoll(`/ferry/v1/poll?${query(hs, '&e=1&ack=0')}`, server);
    await waitFor(() => server.sockets.length === 1 && server.sockets[0].connected, 'the poll to be held');
    await new Promise((resolve) => setTimeout(resolve, 200));
    await request(server.http).post(`/ferry/v1/send?${query(hs)}`).set('Content-Type', 'text/plain').send('[["m",1,"first"]]').expect(200);
    const answered = await opening;
    expect(answered.text).toBe('[["m",1,"first"]]'); // its ack went in the POST's reply
    expect(answered.ms).toBeGreaterThanOrEqual(200);
  });

  it('of any later transport (a resume) is answered at once, empty when there is nothing to send', async () => {
    const server = track(await startServer({}, () => {}));
    const hs = await rawHandshake(server);
    const opening = request(server.http).get(`/ferry/v1/poll?${query(hs, '&e=1&ack=0')}`);
    const held = opening.then((res) => res.text);
    await waitFor(() => server.sockets.length === 1 && server.sockets[0].connected, 'the poll to be held');
    const resumed = await timedPoll(`/ferry/v1/poll?${query(hs, '&e=2&ack=0')}`, server);
    expect(resumed.text).toBe('[]');
    expect(resumed.ms).toBeLessThan(1000);
    expect(await held).toBe('[]'); // replaced
  });
});

describe("a send's reply on long-polling", () => {
  const send = (server: { http: Parameters<typeof request>[0] }, q: string, body: string) =>
    request(server.http).post(`/ferry/v1/send?${q}`).set('Content-Type', 'text/plain').send(body).expect(200);

  it('carries what is waiting when no poll is held, from after the last ack, so a poll in flight may arrive first or last', async () => {
    const server = track(await startServer({}, (socket) => {
      socket.send('welcome');
      socket.on('message', (data) => socket.send({ echo: data as string }));
    }));
    const hs = await rawHandshake(server);
    // the welcome answers the first poll, which the client has not acknowledged yet
    expect((await request(server.http).get(`/ferry/v1/poll?${query(hs, '&e=1&ack=0')}`)).text).toBe('[["m",1,"welcome"]]');
    const reply = await send(server, query(hs), '[["m",1,"hi"]]');
    expect(reply.text).toBe('[["a",1],["m",1,"welcome"],["m",2,{"echo":"hi"}]]');
    // a poll that acknowledges only the welcome gets the echo again; one past it waits
    expect((await request(server.http).get(`/ferry/v1/poll?${query(hs, '&e=1&ack=1')}`)).text).toBe('[["m",2,{"echo":"hi"}]]');
  });

  it('carries no message while a poll is held (the poll does), nor on a stream', async () => {
    const server = track(await startServer());
    const hs = await rawHandshake(server);
    const held = request(server.http).get(`/ferry/v1/poll?${query(hs, '&e=1&ack=0')}`).then((res) => res.text);
    await waitFor(() => server.sockets.length === 1 && server.sockets[0].connected, 'the poll to be held');
    expect((await send(server, query(hs), '[["m",1,"hi"]]')).text).toBe('[["a",1]]');
    expect(await held).toBe('[["m",1,"hi"]]');

    const streamed = await rawHandshake(server);
    const stream = http.get(`${server.origin}/ferry/v1/xhr-stream?${query(streamed, '&e=1&ack=0')}`, (res) => res.resume());
    stream.on('error', () => {});
    await waitFor(() => server.sockets.length === 2 && server.sockets[1].connected, 'the stream');
    expect((await send(server, query(streamed), '[["m",1,"hi"]]')).text).toBe('[["a",1]]');
    stream.destroy();
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
