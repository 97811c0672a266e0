import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FerryMetrics } from './metrics-snapshot.js';

/*
 * The Prometheus text exposition format 0.0.4 of a FerryMetrics snapshot, written by hand: about
 * twenty series with fixed label sets need none of `prom-client`'s machinery (its process-wide
 * default registry, metric objects updated on every event, its own dependencies), and Ferry's
 * counters already live in one plain object per Server.
 */

/** The Content-Type of the text format. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** A label value as the text format writes it: backslash, double quote and line feed escaped. */
export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : '\\' + c));
}

/** A `# HELP` text as the text format writes it: backslash and line feed escaped. */
export function escapeHelp(text: string): string {
  return text.replace(/[\\\n]/g, (c) => (c === '\n' ? '\\n' : '\\\\'));
}

type Labels = Readonly<Record<string, string>>;

class Exposition {
  readonly lines: string[] = [];

  family(name: string, type: 'counter' | 'gauge', help: string, samples: ReadonlyArray<readonly [Labels, number]>): void {
    this.lines.push(`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) {
      const keys = Object.keys(labels);
      const text = keys.length === 0 ? '' : '{' + keys.map((k) => `${k}="${escapeLabelValue(labels[k])}"`).join(',') + '}';
      this.lines.push(`${name}${text} ${value}`);
    }
  }

  /** One sample per key of `counts`, the key as label `label`. */
  byLabel(name: string, type: 'counter' | 'gauge', help: string, label: string, counts: Readonly<Partial<Record<string | number, number>>>): void {
    this.family(name, type, help, Object.entries(counts).map(([key, n]) => [{ [label]: key }, n ?? 0] as const));
  }
}

/** The text exposition of `m`: every metric prefixed `ferry_`, counters suffixed `_total`. */
export function prometheusText(m: FerryMetrics): string {
  const out = new Exposition();
  out.byLabel('ferry_sessions', 'gauge', "Live sessions by the transport attached now ('none': between transports, waiting for a resume).", 'transport', m.sessions.byTransport);
  out.family('ferry_buffered_bytes', 'gauge', 'Bytes held for all sessions: unacknowledged outbound messages plus transport write buffers.', [[{}, m.bufferedBytes]]);
  out.family('ferry_pending_messages', 'gauge', 'Outbound messages, events and answers not yet acknowledged by their clients.', [[{}, m.pendingMessages]]);
  out.byLabel('ferry_handshakes_total', 'counter', 'Handshakes accepted (sessions created), by the transport the session started on.', 'transport', m.handshakes.byTransport);
  out.byLabel('ferry_handshakes_refused_total', 'counter', 'Handshakes answered with an error, by error code.', 'reason', m.handshakesRefused);
  out.family(
    'ferry_upgrades_total',
    'counter',
    'Probed WebSockets promoted to their session\'s transport, by the transport left and the one taken.',
    Object.entries(m.upgrades).map(([key, n]) => {
      const [from, to] = key.split('→');
      return [{ from, to }, n ?? 0] as const;
    }),
  );
  out.family(
    'ferry_transport_failures_total',
    'counter',
    'Transports lost while their session went on, and failed upgrade probes, by transport and reason.',
    Object.entries(m.transportFailures).flatMap(([transport, reasons]) => Object.entries(reasons ?? {}).map(([reason, n]) => [{ transport, reason }, n ?? 0] as const)),
  );
  out.family('ferry_resumes_total', 'counter', 'Sessions resumed on a new transport after losing one.', [[{}, m.resumes]]);
  out.byLabel('ferry_sessions_ended_total', 'counter', 'Sessions ended, by reason.', 'reason', m.sessionsEnded);
  out.family('ferry_messages_received_total', 'counter', 'Application messages received from clients and delivered.', [[{}, m.messagesIn]]);
  out.family('ferry_messages_sent_total', 'counter', 'Application messages queued for clients (once per recipient, resends not counted).', [[{}, m.messagesOut]]);
  out.family('ferry_events_received_total', 'counter', 'Events and event answers received from clients and delivered.', [[{}, m.eventsIn]]);
  out.family('ferry_events_sent_total', 'counter', 'Events and event answers queued for clients (once per recipient).', [[{}, m.eventsOut]]);
  out.family('ferry_received_bytes_total', 'counter', 'Bytes of the packets received from clients (framing and acks included).', [[{}, m.bytesIn]]);
  out.family('ferry_sent_bytes_total', 'counter', 'Payload bytes of the messages, events and answers queued for clients.', [[{}, m.bytesOut]]);
  out.byLabel('ferry_refusals_total', 'counter', 'Requests refused for policy or a limit (origin, host, auth, rate limits, session limits), by error code.', 'reason', m.refusals);
  out.byLabel('ferry_http_errors_total', 'counter', 'HTTP error answers and refused WebSocket upgrades, by error code.', 'code', m.httpErrors);
  out.family('ferry_relayed_total', 'counter', 'Cluster: requests and WebSocket joins relayed to the node owning their session (out), and served here for other nodes (in).', [
    [{ direction: 'out' }, m.relayed.out],
    [{ direction: 'in' }, m.relayed.in],
  ]);
  out.byLabel('ferry_close_codes_total', 'counter', 'Close codes sessions were ended with and failing transports dropped with, by code.', 'code', m.closeCodes);
  return out.lines.join('\n') + '\n';
}

/**
 * A Node/Express request handler serving `snapshot()` as Prometheus text. It checks no access:
 * what it serves is operational data (traffic, refusals, error rates), so mount it where only the
 * scraper can reach it.
 */
export function metricsRequestHandler(snapshot: () => FerryMetrics): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('use GET');
      return;
    }
    const body = prometheusText(snapshot());
    res.writeHead(200, { 'Content-Type': PROMETHEUS_CONTENT_TYPE, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}
