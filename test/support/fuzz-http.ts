import { junk, packetText, type PacketState, type Rng } from './fuzz-values.js';

/**
 * HTTP inputs for every Ferry route (PROTOCOL.md section 2): handshakes, sends, polls, streams,
 * the relay page, the bundles and routes/versions/methods that do not exist, with valid and
 * mangled parameters and headers. Most inputs use a live session from the pool (a `Slot`), so
 * they get past authentication and reach the transports and the packet decoder.
 */

/** A live session the fuzzer drives; `busy` while an input of its own is in flight. */
export interface Slot extends PacketState {
  sid: string;
  token: string;
  epoch: number;
  busy: boolean;
  /** Set when an answer shows the session has ended; the pool replaces it. */
  dead: boolean;
}

export interface HttpInput {
  /** Route family, for coverage counts: `send`, `poll`, `bundle`, … */
  kind: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** The request may be held (a poll, a stream, a body shorter than its Content-Length): cut it after a moment. */
  mayHold: boolean;
  /** The answer is a script (JSONP): any page can run it and read it, so only an own-origin page may get one. */
  scriptReadable?: boolean;
  /** Valid messages in the body: the slot's `nextSeq` advances by this on a 200. */
  messages: number;
  /**
   * The request lies about its framing (a Content-Length that is not the body's): it goes on a
   * socket of its own, closed after it, so the lie cannot spill into the next request.
   */
  ownSocket?: boolean;
  /**
   * Content-Length is not a number, or shorter than the body (the rest is parsed as a next request
   * of garbage): Node's HTTP parser may answer it with its own 400 before Ferry does.
   */
  unparsable?: boolean;
}

export interface HttpFuzzContext {
  path: string;
  /** `http://127.0.0.1:port`, the origin the server calls its own. */
  origin: string;
  host: string;
}

const EVIL = ['https://evil.example', 'http://127.0.0.1.evil.example', 'null', 'http://localhost:1', 'file://', 'garbage', 'http://[::1', 'https://app.example'];
const SITES = ['same-origin', 'same-site', 'cross-site', 'none', 'bogus', ''];
const CONTENT_TYPES = ['text/plain;charset=UTF-8', 'text/plain', 'application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=utf-8', 'application/json', 'multipart/form-data; boundary=x', 'APPLICATION/X-WWW-FORM-URLENCODED', '', ';;;', 'text/plain; charset=latin1'];

/** The browser-ish headers: mostly absent or the server's own origin, often foreign or malformed. */
function browserHeaders(rng: Rng, ctx: HttpFuzzContext): Record<string, string> {
  const headers: Record<string, string> = {};
  if (rng.chance(0.2)) headers.Origin = rng.chance(0.5) ? ctx.origin : rng.pick(EVIL);
  if (rng.chance(0.12)) headers.Referer = rng.chance(0.5) ? ctx.origin + '/page' : rng.pick([...EVIL.map((o) => o + '/x'), '::::', '']);
  if (rng.chance(0.12)) headers['Sec-Fetch-Site'] = rng.pick(SITES);
  if (rng.chance(0.04)) headers.Host = rng.pick(['evil.example', '127.0.0.1', 'localhost:' + ctx.host.split(':')[1], ctx.host + '.evil.example']);
  return headers;
}

/** Percent-encodes the UTF-8 bytes (a lone surrogate becomes U+FFFD, as a browser's form does). */
function formEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) out += /[A-Za-z0-9*._-]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  return out;
}

function query(pairs: Array<[string, string] | null>): string {
  const kept = pairs.filter((pair): pair is [string, string] => pair !== null);
  return kept.length === 0 ? '' : '?' + kept.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
}

/** `sid` and `t`: the slot's own mostly; sometimes junk, another session's or missing. */
function credentials(rng: Rng, slot: Slot, other: Slot): Array<[string, string] | null> {
  const sid = rng.weighted([[20, slot.sid], [1, other.sid], [1, junk(rng)], [1, null]] as const);
  const token = rng.weighted([[20, slot.token], [1, other.token], [1, junk(rng)], [1, slot.token.slice(1)], [1, null]] as const);
  return [sid === null ? null : ['sid', sid], token === null ? null : ['t', token]];
}

/** A transport parameter: valid mostly, else junk or absent. */
function param(rng: Rng, name: string, valid: () => string, pValid = 0.85): [string, string] | null {
  if (rng.chance(pValid)) return [name, valid()];
  return rng.chance(0.7) ? [name, junk(rng)] : null;
}

function epochParam(rng: Rng, slot: Slot): [string, string] | null {
  return param(rng, 'e', () => String(rng.weighted([[8, ++slot.epoch], [1, slot.epoch], [1, Math.max(1, slot.epoch - 2)], [1, 0]] as const)));
}

const hb = (rng: Rng) => rng.pick(['0', '1500', '60000', '1']);
const ack = (rng: Rng) => rng.pick(['0', '0', '0', '1', '5']);
const cb = (rng: Rng) => '__ferry_jsonp_' + rng.int(1e6);
const VERSIONS = ['/v1/', '/v2/', '/v0/', '/v12/', '/V1/', '/v1x/', '//v1/', '/v1//'];

/** One HTTP input. `slot` and `other` are pool sessions (`other` for cross-session confusion). */
export function httpInput(rng: Rng, ctx: HttpFuzzContext, slot: Slot, other: Slot): HttpInput {
  const input = routeInput(rng, ctx, slot, other);
  input.scriptReadable = input.method === 'GET' && /[?&]cb=/.test(input.path);
  return input;
}

function routeInput(rng: Rng, ctx: HttpFuzzContext, slot: Slot, other: Slot): HttpInput {
  const kind = rng.weighted([
    [24, 'send'], [9, 'form-send'], [9, 'poll'], [6, 'jsonp'], [4, 'iframe'], [4, 'eventsource'], [4, 'xhr-stream'],
    [5, 'handshake'], [3, 'jsonp-handshake'], [5, 'relay-page'], [6, 'bundle'], [3, 'preflight'], [8, 'unknown'], [2, 'ws-as-http'],
  ] as const);
  const headers = browserHeaders(rng, ctx);
  // a script-readable (JSONP) request must prove its page: a same-origin one mostly does
  const unproven = headers.Origin === undefined && headers.Referer === undefined && headers['Sec-Fetch-Site'] === undefined;
  if ((kind === 'jsonp' || kind === 'jsonp-handshake') && unproven && rng.chance(0.85)) headers.Referer = ctx.origin + '/page';
  const base = ctx.path + '/v1/';
  const input: HttpInput = { kind, method: 'GET', path: '', headers, mayHold: false, messages: 0 };
  switch (kind) {
    case 'send':
    case 'form-send': {
      const { text, messages } = packetText(rng, slot);
      input.method = rng.chance(0.97) ? 'POST' : rng.pick(['GET', 'PUT', 'DELETE']);
      input.path = base + 'send' + query(credentials(rng, slot, other));
      input.messages = messages;
      headers['Content-Type'] = kind === 'form-send' ? 'application/x-www-form-urlencoded' : rng.pick(CONTENT_TYPES);
      let body = text;
      if (kind === 'form-send') {
        body = rng.weighted([[8, 'd=' + formEncode(text)], [1, 'x=' + formEncode(text)], [1, 'd=' + text], [1, 'd=1&d=' + formEncode(text)], [1, '%%%']] as const);
        if (!body.startsWith('d=%')) input.messages = 0;
      }
      if (rng.chance(0.02)) { body = rng.pick(['[', 'd=']) + 'x'.repeat(20_000 + rng.int(40_000)); input.messages = 0; } // over maxMessageSize
      input.body = Buffer.from(body);
      if (rng.chance(0.02)) { input.body = Buffer.concat([input.body.subarray(0, 8), rng.bytes(rng.int(40))]); input.messages = 0; } // not UTF-8
      const lie = rng.int(40);
      if (lie === 0) headers['Content-Length'] = String(input.body.length + 1 + rng.int(100)); // the rest of the body never comes
      if (lie === 1) headers['Content-Length'] = rng.pick(['99999999999', '1048577', '-1', 'abc', String(Math.max(0, input.body.length - 3))]);
      if (lie <= 1) Object.assign(input, { ownSocket: true, mayHold: true, unparsable: !(Number(headers['Content-Length']) >= input.body.length), messages: 0 });
      return input;
    }
    case 'poll':
    case 'jsonp':
      input.path = base + kind + query([
        ...credentials(rng, slot, other), epochParam(rng, slot), param(rng, 'ack', () => ack(rng), 0.8), param(rng, 'hb', () => hb(rng), 0.5),
        kind === 'jsonp' ? param(rng, 'cb', () => cb(rng), 0.85) : null,
      ]);
      input.mayHold = true;
      return input;
    case 'iframe':
    case 'eventsource':
    case 'xhr-stream':
      input.path = base + kind + query([
        ...credentials(rng, slot, other), epochParam(rng, slot), param(rng, 'ack', () => ack(rng), 0.8), param(rng, 'hb', () => hb(rng), 0.5),
        kind === 'iframe' ? param(rng, 'c', () => String(rng.int(1e6)), 0.85) : null,
        kind === 'iframe' && rng.chance(0.2) ? ['o', rng.chance(0.5) ? ctx.origin : rng.pick(EVIL)] : null,
      ]);
      if (kind === 'eventsource' && rng.chance(0.3)) headers['Last-Event-ID'] = rng.chance(0.5) ? rng.pick(['0', '1', '3']) : junk(rng);
      input.mayHold = true;
      return input;
    case 'handshake':
      input.method = rng.chance(0.9) ? 'POST' : rng.pick(['GET', 'PUT', 'PATCH']);
      input.path = base + 'handshake' + query([
        param(rng, 'transport', () => rng.pick(['xhr-polling', 'jsonp-polling', 'websocket', 'eventsource', 'xhr-streaming', 'iframe-streaming']), 0.6),
        rng.chance(0.1) ? ['cb', cb(rng)] : null,
      ]);
      if (rng.chance(0.3)) { headers['Content-Type'] = rng.pick(CONTENT_TYPES); input.body = Buffer.from(rng.pick(['', '{}', '[]', 'd=x', 'x'.repeat(3000)])); }
      return input;
    case 'jsonp-handshake':
      input.path = base + 'handshake' + query([param(rng, 'transport', () => 'jsonp-polling', 0.8), param(rng, 'cb', () => cb(rng), 0.8)]);
      return input;
    case 'relay-page':
      input.method = rng.chance(0.9) ? 'GET' : rng.pick(['POST', 'HEAD']);
      input.path = ctx.path + '/iframe.html' + query([
        param(rng, 'o', () => (rng.chance(0.7) ? ctx.origin : rng.pick([...EVIL, ctx.origin + '/', ctx.origin.toUpperCase(), 'http://127.0.0.1:0'])), 0.85),
        rng.chance(0.2) ? ['legacy', rng.pick(['1', '0', 'x'])] : null,
      ]);
      return input;
    case 'bundle':
      input.method = rng.weighted([[8, 'GET'], [2, 'HEAD'], [1, 'POST'], [1, 'DELETE']] as const);
      input.path = ctx.path + '/' + rng.pick(['ferry.js', 'ferry.legacy.js', 'ferry-relay.js', 'ferry-relay.legacy.js', 'ferry-cross-origin.js', 'ferry.min.js', 'FERRY.JS', 'ferry.js/', '../ferry.js', '%66erry.js']) + (rng.chance(0.1) ? '?v=' + encodeURIComponent(junk(rng)) : '');
      if (rng.chance(0.2)) headers['If-None-Match'] = rng.pick(['"x"', '*', '', junk(rng)]);
      return input;
    case 'preflight':
      input.method = 'OPTIONS';
      input.path = base + rng.pick(['send', 'handshake', 'poll', 'nothing']);
      headers['Access-Control-Request-Method'] = rng.pick(['POST', 'GET', 'PUT']);
      return input;
    case 'ws-as-http':
      input.path = base + 'ws' + query(credentials(rng, slot, other));
      input.method = rng.pick(['GET', 'POST']);
      if (rng.chance(0.5)) { headers.Connection = 'Upgrade, keep-alive'; headers.Upgrade = rng.pick(['', 'h2c', 'websocket2']); }
      return input;
    default: {
      input.method = rng.weighted([[6, 'GET'], [3, 'POST'], [1, 'PUT'], [1, 'DELETE'], [1, 'PATCH'], [1, 'PROPFIND'], [1, 'TRACE']] as const);
      input.path = rng.pick([
        ctx.path, ctx.path + '/', ctx.path + '?x=1', ctx.path + rng.pick(VERSIONS) + rng.pick(['handshake', 'poll', 'send', 'ws', 'x', '', 'eventsource']),
        base + rng.pick(['polls', 'Poll', 'send/', 'handshake/x', '%2e%2e/handshake', 'iframe.html', 'ferry.js']), ctx.path + '/v1', ctx.path + '/.env',
      ]) + (rng.chance(0.2) ? query(credentials(rng, slot, other)) : '');
      if (input.method !== 'GET' && rng.chance(0.5)) input.body = Buffer.from(junk(rng));
      return input;
    }
  }
}

/** The handshake a pool slot is refilled with: a plain POST, as the reference client sends it. */
export function poolHandshake(ctx: HttpFuzzContext): HttpInput {
  return { kind: 'pool-handshake', method: 'POST', path: ctx.path + '/v1/handshake', headers: {}, mayHold: false, messages: 0 };
}

/** A short, replayable description of an input for a failure message. */
export function describeInput(input: HttpInput): string {
  const body = input.body === undefined ? '' : ' body=' + JSON.stringify(input.body.toString('latin1').slice(0, 300));
  return `${input.method} ${input.path} headers=${JSON.stringify(input.headers)}${body}`;
}
