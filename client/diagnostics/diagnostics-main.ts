import { TRANSPORT_NAMES } from '../../protocol/index.js';
import { testDefaultChoice } from './default-choice.js';
import { IDLE_MS, testIdle } from './idle-test.js';
import { renderProgress, renderReport } from './render.js';
import { testTransport } from './transport-test.js';
import { TRANSPORT_LABELS, verdict } from './verdict.js';
import type { DefaultChoice, DiagnosticsReport, FerryGlobal, IdleResult, ServerView, TransportResult } from './types.js';

/** Every transport, tested one at a time in the client's own order of preference. */
const ORDER = TRANSPORT_NAMES;

/** What the e2e suite (and anyone curious) reads when the run is over. */
interface DiagnosticsWindow {
  Ferry?: FerryGlobal;
  __ferryDiagnostics?: DiagnosticsReport;
}

/** Whether this browser runs the modern bundle (ES2017); otherwise the page loads the ES5 one. */
function modern(): boolean {
  const w = window as unknown as { Promise?: unknown; fetch?: unknown; Symbol?: unknown };
  const assign = (Object as unknown as { assign?: unknown }).assign;
  return typeof w.Promise === 'function' && typeof w.fetch === 'function' && typeof w.Symbol === 'function' && typeof assign === 'function';
}

function features(): DiagnosticsReport['features'] {
  let xhrProgress = false;
  try {
    xhrProgress = 'onprogress' in new XMLHttpRequest();
  } catch (e) {
    // no XHR at all
  }
  return { webSocket: typeof WebSocket !== 'undefined', eventSource: typeof EventSource !== 'undefined', xhrProgress: xhrProgress, postMessage: typeof window.postMessage === 'function' || typeof window.postMessage === 'object' };
}

function run(ferry: FerryGlobal, baseUrl: string, bundle: 'modern' | 'legacy', root: HTMLElement, withIdle: boolean): void {
  const results: TransportResult[] = [];
  let server: ServerView | null = null;
  let choice: DefaultChoice | null = null;

  function next(i: number): void {
    if (i === ORDER.length) {
      renderProgress(root, 'Testing what connect() chooses…');
      return testDefaultChoice(ferry, baseUrl, idleThen);
    }
    renderProgress(root, 'Testing ' + TRANSPORT_LABELS[ORDER[i]] + ' (' + (i + 1) + ' of ' + ORDER.length + ')…');
    testTransport(ferry, baseUrl, ORDER[i], server === null, function (result, info) {
      results.push(result);
      if (info !== null) server = info;
      next(i + 1);
    });
  }

  /** The idle test, when asked for, on the transport connect() chose. */
  function idleThen(chosen: DefaultChoice): void {
    choice = chosen;
    if (!withIdle || chosen.transport === null) return finish(null);
    renderProgress(root, 'Testing whether an idle ' + TRANSPORT_LABELS[chosen.transport] + ' connection is cut (' + IDLE_MS / 1000 + ' s)…');
    testIdle(ferry, baseUrl, chosen.transport, finish);
  }

  function finish(idle: IdleResult | null): void {
    const report: DiagnosticsReport = {
      ferryDiagnostics: 1,
      date: new Date().toUTCString(),
      page: location.protocol + '//' + location.host + location.pathname,
      userAgent: navigator.userAgent,
      bundle: bundle,
      features: features(),
      server: server,
      transports: results,
      choice: choice,
      idle: idle,
      verdict: verdict(results, choice, idle),
    };
    renderReport(root, report, report.verdict.join(' ') + '\n' + JSON.stringify(report));
    (window as unknown as DiagnosticsWindow).__ferryDiagnostics = report;
  }

  next(0);
}

/**
 * `{path}/diagnostics.js`: loads the client bundle this browser can run from `{path}`, then runs
 * every test and shows the verdict. The page is `{path}/diagnostics` (served by the server when its
 * `diagnostics` option is on); `?legacy=1` forces the ES5 bundle, `?idle=1` adds the idle test.
 */
function start(): void {
  const root = document.getElementById('ferry-diagnostics');
  if (root === null) return;
  const path = location.pathname.replace(/\/diagnostics\/?$/, '');
  const baseUrl = location.protocol + '//' + location.host + path;
  const bundle = /[?&]legacy=1(&|$)/.test(location.search) || !modern() ? 'legacy' : 'modern';
  renderProgress(root, 'Loading the Ferry client…');
  const script = document.createElement('script');
  script.src = path + (bundle === 'legacy' ? '/ferry.legacy.js' : '/ferry.js');
  script.onload = function () {
    const ferry = (window as unknown as DiagnosticsWindow).Ferry;
    if (ferry) run(ferry, baseUrl, bundle, root, /[?&]idle=1(&|$)/.test(location.search));
    else renderProgress(root, 'The Ferry client did not load.');
  };
  script.onerror = function () {
    renderProgress(root, 'The Ferry client could not be loaded from ' + script.src + '.');
  };
  document.getElementsByTagName('head')[0].appendChild(script);
}

start();
