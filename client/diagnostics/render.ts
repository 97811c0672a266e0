import { TRANSPORT_LABELS } from './verdict.js';
import type { DiagnosticsReport, TransportResult } from './types.js';

const CSS =
  'body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:24px;color:#1d2330;max-width:960px}' +
  'h1{font-size:22px;margin:0 0 12px}h2{font-size:16px;margin:22px 0 8px}' +
  '.verdict{background:#eef5ff;border-left:4px solid #2f6fdb;padding:10px 14px;margin:0 0 8px}.verdict p{margin:4px 0}.verdict p:first-child{font-weight:600}' +
  'table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #d9dde5;padding:6px 8px;text-align:left;font-size:14px}th{background:#f4f6f9}' +
  '.ok{color:#17803d}.bad{color:#b3261e}.muted{color:#687086}textarea{width:100%;height:140px;font:12px monospace}button{font:inherit;margin:0 8px 8px 0;padding:6px 14px}';

function el(tag: string, text?: string, className?: string): HTMLElement {
  const node = document.createElement(tag);
  if (text !== undefined) node.appendChild(document.createTextNode(text));
  if (className) node.className = className;
  return node;
}

function ms(value: number | null): string {
  return value === null ? '–' : Math.round(value) + ' ms';
}

const OUTCOME_WORDS: { [outcome: string]: string } = { ok: 'works', 'no-data': 'held back', failed: 'fails', unavailable: 'not available' };

function resultRow(r: TransportResult): HTMLElement {
  const row = el('tr');
  row.appendChild(el('td', TRANSPORT_LABELS[r.transport] + ' (' + r.transport + ')'));
  const outcome = el('td', OUTCOME_WORDS[r.outcome], r.outcome === 'ok' ? 'ok' : r.outcome === 'unavailable' ? 'muted' : 'bad');
  if (r.reason) outcome.title = r.reason;
  row.appendChild(outcome);
  row.appendChild(el('td', ms(r.firstMessageMs)));
  row.appendChild(el('td', r.rttP50 === null ? '–' : ms(r.rttP50) + ' / ' + ms(r.rttP95)));
  row.appendChild(el('td', r.pushKiBps === null ? '–' : r.pushKiBps + ' KiB/s'));
  row.appendChild(el('td', r.delivery === null ? '–' : r.delivery));
  row.appendChild(el('td', r.reason, 'muted'));
  return row;
}

/** Shows a progress line while the tests run. */
export function renderProgress(root: HTMLElement, line: string): void {
  root.innerHTML = '';
  root.appendChild(el('h1', 'Ferry diagnostics'));
  root.appendChild(el('p', line, 'muted'));
}

/** The finished page: verdict, the table behind it, what `connect()` chose, and the report to copy. */
export function renderReport(root: HTMLElement, report: DiagnosticsReport, copyText: string): void {
  if (!document.getElementById('ferry-diagnostics-style')) {
    const style = el('style');
    style.id = 'ferry-diagnostics-style';
    style.appendChild(document.createTextNode(CSS));
    document.getElementsByTagName('head')[0].appendChild(style);
  }
  root.innerHTML = '';
  root.appendChild(el('h1', 'Ferry diagnostics'));
  const verdict = el('div', undefined, 'verdict');
  verdict.id = 'verdict';
  for (let i = 0; i < report.verdict.length; i++) verdict.appendChild(el('p', report.verdict[i]));
  root.appendChild(verdict);

  root.appendChild(el('h2', 'Each transport, forced'));
  const table = el('table');
  table.id = 'results';
  const head = el('tr');
  const columns = ['Transport', 'Result', 'First message', 'Round trip p50 / p95', '256 KiB push', 'Delivery', 'Why'];
  for (let i = 0; i < columns.length; i++) head.appendChild(el('th', columns[i]));
  table.appendChild(head);
  for (let i = 0; i < report.transports.length; i++) table.appendChild(resultRow(report.transports[i]));
  root.appendChild(table);

  const choice = report.choice;
  root.appendChild(el('h2', 'What connect() chooses'));
  if (choice !== null) {
    root.appendChild(el('p', choice.transport === null ? 'No transport: ' + choice.reason : TRANSPORT_LABELS[choice.transport] + ' (' + choice.transport + '), round trip ' + ms(choice.rttP50)));
    const list = el('ul');
    for (let i = 0; i < choice.attempts.length; i++) {
      const a = choice.attempts[i];
      list.appendChild(el('li', a.transport + ': ' + a.outcome + ' (' + a.reason + ')'));
    }
    root.appendChild(list);
  }

  root.appendChild(el('h2', 'What the server saw'));
  const server = report.server;
  root.appendChild(
    el(
      'p',
      server === null
        ? 'Nothing: no transport reached the server.'
        : 'Address ' + (server.address || '?') + '; Via: ' + (server.via || 'none') + '; X-Forwarded-For: ' + (server.xForwardedFor || 'none') + '; Forwarded: ' + (server.forwarded || 'none'),
    ),
  );
  root.appendChild(el('p', 'Browser: ' + report.userAgent + ' (' + report.bundle + ' bundle)', 'muted'));

  root.appendChild(el('h2', 'Report for a support ticket'));
  const copy = el('button', 'Copy report') as HTMLButtonElement;
  copy.id = 'copy';
  const again = el('button', 'Run again') as HTMLButtonElement;
  const idle = el('button', report.idle === null ? 'Run again with the idle test (35 s more)' : 'Run again without the idle test') as HTMLButtonElement;
  idle.onclick = function () {
    const legacy = /[?&]legacy=1(&|$)/.test(location.search);
    location.search = report.idle === null ? '?idle=1' + (legacy ? '&legacy=1' : '') : legacy ? '?legacy=1' : '';
  };
  const area = el('textarea') as HTMLTextAreaElement;
  area.id = 'report';
  area.readOnly = true;
  area.value = copyText;
  copy.onclick = function () {
    area.select();
    let copied = false;
    try {
      copied = document.execCommand('copy');
    } catch (e) {
      // older browsers: the text stays selected for the user to copy
    }
    copy.innerHTML = '';
    copy.appendChild(document.createTextNode(copied ? 'Copied' : 'Selected: press Ctrl+C'));
  };
  again.onclick = function () {
    location.reload();
  };
  root.appendChild(copy);
  root.appendChild(again);
  root.appendChild(idle);
  root.appendChild(area);
}
