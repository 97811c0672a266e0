import { isPolling, type TransportName } from '../../protocol/index.js';
import type { DefaultChoice, IdleResult, TransportResult } from './types.js';

/** Transport names in plain words. */
export const TRANSPORT_LABELS: { [name: string]: string } = {
  websocket: 'WebSocket',
  eventsource: 'Server-Sent Events',
  'xhr-streaming': 'XHR streaming',
  'iframe-streaming': 'iframe streaming',
  'xhr-polling': 'long-polling',
  'jsonp-polling': 'JSONP long-polling',
};

/** Whether `name` is one of the streams (a long response the server writes into). */
export function isStream(name: TransportName): boolean {
  return name !== 'websocket' && !isPolling(name);
}

function find(results: TransportResult[], name: TransportName): TransportResult | null {
  for (let i = 0; i < results.length; i++) if (results[i].transport === name) return results[i];
  return null;
}

function names(results: TransportResult[]): string {
  const labels: string[] = [];
  for (let i = 0; i < results.length; i++) labels.push(TRANSPORT_LABELS[results[i].transport]);
  return labels.join(', ');
}

/**
 * The verdict in plain words, one sentence per finding: WebSocket, then streaming, then what Ferry
 * uses here and how fast. The first sentence is the headline; a support engineer reads the rest.
 */
export function verdict(results: TransportResult[], choice: DefaultChoice | null, idle: IdleResult | null = null): string[] {
  const lines: string[] = [];
  const ws = find(results, 'websocket');
  if (ws !== null) {
    if (ws.outcome === 'ok') lines.push('WebSocket works on this network.');
    else if (ws.outcome === 'unavailable') lines.push('This browser cannot use WebSocket (' + ws.reason + ').');
    else lines.push('WebSocket is blocked on this network (' + ws.reason + ').');
  }
  const streamed: TransportResult[] = [];
  const heldBack: TransportResult[] = [];
  const failed: TransportResult[] = [];
  for (let i = 0; i < results.length; i++) {
    const r = results[i];
    if (!isStream(r.transport) || r.outcome === 'unavailable') continue;
    if (r.outcome === 'ok' && r.delivery === 'streamed') streamed.push(r);
    else if (r.outcome === 'no-data' || (r.outcome === 'ok' && r.delivery === 'buffered')) heldBack.push(r);
    else failed.push(r);
  }
  if (heldBack.length > 0 && streamed.length === 0) {
    lines.push('Streaming responses are buffered on the way (a proxy holds them until they complete), so Ferry does not stream here: ' + names(heldBack) + '.');
  } else if (streamed.length > 0) {
    lines.push('Streaming works: messages arrive as they are sent (' + names(streamed) + ').' + (heldBack.length > 0 ? ' Held back: ' + names(heldBack) + '.' : ''));
  } else if (failed.length > 0) {
    lines.push('Streaming fails on this network (' + names(failed) + ').');
  }
  if (choice !== null) {
    if (choice.transport === null) {
      lines.push('Ferry could not connect here' + (choice.reason ? ' (' + choice.reason + ')' : '') + '.');
    } else {
      const rtt = choice.rttP50 === null ? '' : '; a message makes the round trip in ' + Math.round(choice.rttP50) + ' ms';
      lines.push('Ferry uses ' + TRANSPORT_LABELS[choice.transport] + rtt + '.');
    }
  }
  if (idle !== null) {
    const label = TRANSPORT_LABELS[idle.transport];
    if (idle.cutAfterMs !== null) lines.push('An idle ' + label + ' connection is cut after about ' + Math.round(idle.cutAfterMs / 1000) + ' s here; Ferry reconnects and resumes the session.');
    else if (idle.reason) lines.push('The idle test could not run (' + idle.reason + ').');
    else lines.push('An idle ' + label + ' connection stayed open for ' + Math.round(idle.idleMs / 1000) + ' s.');
  }
  return lines;
}
