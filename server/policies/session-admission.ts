import { offeredProtocols } from '../subprotocols.js';
import type { IncomingMessage } from 'node:http';
import { handshakeInfo } from '../handshake-info.js';
import { RequestError } from '../http-errors.js';
import type { ResolvedOptions } from '../options.js';
import type { HandshakeInfo } from '../socket.js';
import { AddressSessions } from './address-sessions.js';
import { checkTrustProxy, clientAddressOf, type ClientAddress } from './client-address.js';
import { DiagnosticsRateLimit } from './diagnostics-rate-limit.js';
import { HandshakeRateLimit } from './handshake-rate-limit.js';
import { addressKey } from './ip-address.js';
import { monotonic, type Clock } from './token-bucket.js';

type AdmissionOptions = Pick<
  ResolvedOptions,
  'trustProxy' | 'forwardedHeader' | 'addressHandshakeBurst' | 'addressHandshakeRate' | 'handshakeBurst' | 'handshakeRate' | 'maxSessionsPerAddress' | 'provisionalResumeWindow'
>;

/** Checks the options of these policies (`resolveOptions` calls it); throws RangeError. */
export function checkAdmissionOptions(o: AdmissionOptions): void {
  checkTrustProxy(o.trustProxy);
  if (o.forwardedHeader !== 'x-forwarded-for' && o.forwardedHeader !== 'forwarded') {
    throw new RangeError(`ferry: option forwardedHeader must be 'x-forwarded-for' or 'forwarded', got ${String(o.forwardedHeader)}`);
  }
  for (const key of ['addressHandshakeBurst', 'handshakeBurst', 'maxSessionsPerAddress'] as const) {
    if (!Number.isFinite(o[key]) || o[key] < 1) throw new RangeError(`ferry: option ${key} must be a number of at least 1, got ${o[key]}`);
  }
  for (const key of ['addressHandshakeRate', 'handshakeRate', 'provisionalResumeWindow'] as const) {
    if (!Number.isFinite(o[key]) || o[key] <= 0) throw new RangeError(`ferry: option ${key} must be a positive number, got ${o[key]}`);
  }
}

/** A request allowed to create a session: who it is from, and what the session keeps of it. */
export interface Admission {
  /** The client's address group (an IPv4 address, an IPv6 /64) the per-address limits count. */
  readonly key: string;
  readonly info: HandshakeInfo;
  /** The subprotocols the client offered, in its order (server/subprotocols.ts). */
  readonly offered: readonly string[];
  /** A diagnostics session (`diag=1`, server/diagnostics/): answered by the server, never the app's. */
  readonly diagnostics: boolean;
}

/**
 * The per-client policies every new session passes, in order: who the client is (trust-proxy
 * aware), for a diagnostics session its own rate limit, the handshake rate limits (per address,
 * then server-wide), the cap on live sessions per address. Called once per session creation, by
 * the registry; the table's own capacity (and eviction) is the registry's.
 */
export class SessionAdmission {
  readonly #clientAddress: ClientAddress;
  readonly #rate: HandshakeRateLimit;
  readonly #live: AddressSessions;
  readonly #diagnostics: DiagnosticsRateLimit;

  constructor(options: ResolvedOptions, clock: Clock = monotonic) {
    this.#clientAddress = clientAddressOf(options.trustProxy, options.forwardedHeader);
    this.#rate = new HandshakeRateLimit(
      {
        perAddress: { burst: options.addressHandshakeBurst, perSecond: options.addressHandshakeRate },
        global: { burst: options.handshakeBurst, perSecond: options.handshakeRate },
      },
      clock,
    );
    this.#live = new AddressSessions(options.maxSessionsPerAddress);
    this.#diagnostics = new DiagnosticsRateLimit(clock);
  }

  /**
   * Throws `rate_limited` (429, with Retry-After) or `too_many_address_sessions` (429). A refused
   * handshake takes no token from either rate limit.
   */
  admit(req: IncomingMessage, diagnostics = false): Admission {
    const address = this.#clientAddress(req);
    const key = addressKey(address);
    if (diagnostics) {
      const wait = this.#diagnostics.wait(key);
      if (wait > 0) throw rateLimited('too many diagnostics sessions from this address', wait);
    }
    const { wait, scope } = this.#rate.take(key);
    if (wait > 0) throw rateLimited(`too many new sessions ${scope === 'address' ? 'from this address' : 'on this server'}`, wait);
    if (diagnostics) this.#diagnostics.take(key);
    this.assertRoomFor(key);
    return { key, info: handshakeInfo(req, address), offered: offeredProtocols(req.url), diagnostics };
  }

  /** Throws `too_many_address_sessions` when `key` holds its maximum of live sessions. */
  assertRoomFor(key: string): void {
    if (this.#live.full(key)) {
      throw new RequestError('too_many_address_sessions', `this address holds its maximum of ${this.#live.max} sessions`);
    }
  }

  /** A session counted under `key` was created. */
  opened(key: string): void {
    this.#live.add(key);
  }

  /** A session whose client address (as its handshake keeps it) was `address` ended. */
  ended(address: string | undefined): void {
    this.#live.remove(addressKey(address));
  }
}

function rateLimited(what: string, waitMs: number): RequestError {
  const seconds = Math.ceil(waitMs / 1000);
  return new RequestError('rate_limited', `${what}; retry in ${seconds} s`, seconds);
}
