// Draws bench/results.json as plain SVG: one bar per goal (Ferry's ratio to
// its baseline, with the goal as a line), then every target's ratio to its
// raw baseline per metric. Bars grow from 1× on a log scale.
// Run on its own: node bench/chart.mjs [results.json] [results.svg]
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describeGoal } from './goals.mjs';
import { baselinesFor } from './targets/index.mjs';

const WIDTH = 900;
const LABEL_W = 330;
const PLOT_X = LABEL_W + 10;
const PLOT_W = 440;
const ROW_H = 24;
const COLORS = { PASS: '#2e8540', MISS: '#c0392b', 'n/a': '#999999', ferry: '#2c6fbb', peer: '#9aa5b1' };

const escape = (text) => String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const text = (x, y, content, attrs = '') => `<text x="${x}" y="${y}" ${attrs}>${escape(content)}</text>`;

/** A log2 scale from `lo` to `hi` (powers of two) onto the plot's x range. */
function logScale(values) {
  const finite = values.filter((v) => Number.isFinite(v) && v > 0);
  const lo = 2 ** Math.max(-6, Math.floor(Math.log2(Math.min(0.5, ...finite))));
  const hi = 2 ** Math.min(6, Math.ceil(Math.log2(Math.max(2, ...finite))));
  const x = (v) => PLOT_X + (PLOT_W * (Math.log2(Math.min(hi, Math.max(lo, v))) - Math.log2(lo))) / (Math.log2(hi) - Math.log2(lo));
  const ticks = [];
  for (let e = Math.log2(lo); e <= Math.log2(hi); e++) ticks.push(2 ** e);
  return { x, ticks };
}

function axis(scale, top, bottom) {
  const parts = [];
  for (const tick of scale.ticks) {
    const x = scale.x(tick).toFixed(1);
    const strong = tick === 1;
    parts.push(`<line x1="${x}" y1="${top}" x2="${x}" y2="${bottom}" stroke="${strong ? '#333' : '#ddd'}" stroke-width="${strong ? 1.2 : 1}"/>`);
    parts.push(text(x, bottom + 14, tick >= 1 ? `${tick}×` : `1/${1 / tick}×`, 'font-size="10" text-anchor="middle" fill="#555"'));
  }
  return parts.join('\n');
}

function bar(scale, y, ratio, color) {
  if (!Number.isFinite(ratio) || ratio <= 0) return '';
  const x1 = scale.x(1);
  const x2 = scale.x(ratio);
  return `<rect x="${Math.min(x1, x2).toFixed(1)}" y="${y + 5}" width="${Math.max(1, Math.abs(x2 - x1)).toFixed(1)}" height="${ROW_H - 10}" fill="${color}"/>`;
}

function goalSection(goals, top) {
  const ratios = goals.flatMap((g) => [g.ratio, g.absolute !== undefined ? 1 : g.bound]);
  const scale = logScale(ratios);
  const parts = [text(10, top, 'Goals: Ferry / baseline, median of per-round ratios (capacity: sessions held / goal)', 'font-size="14" font-weight="bold"')];
  const y0 = top + 12;
  goals.forEach((goal, i) => {
    const y = y0 + i * ROW_H;
    const bound = goal.absolute !== undefined ? 1 : goal.bound;
    const shown = goal.ratio === null ? goal.note ?? 'not measured' : goal.absolute !== undefined ? goal.measured.toLocaleString('en-US') : `${goal.ratio.toFixed(2)}×`;
    parts.push(text(10, y + 16, `${goal.label}  (${describeGoal(goal)})`, 'font-size="12"'));
    parts.push(bar(scale, y, goal.ratio, COLORS[goal.status]));
    const bx = scale.x(bound).toFixed(1);
    parts.push(`<line x1="${bx}" y1="${y + 2}" x2="${bx}" y2="${y + ROW_H - 2}" stroke="#000" stroke-width="2" stroke-dasharray="3,2"/>`);
    parts.push(text(PLOT_X + PLOT_W + 10, y + 16, `${shown}  ${goal.status}`, `font-size="12" fill="${COLORS[goal.status]}" font-weight="bold"`));
  });
  const bottom = y0 + goals.length * ROW_H;
  return { svg: axis(scale, y0, bottom) + '\n' + parts.join('\n'), height: bottom + 24 - top };
}

/** Rows of [metric label, target, ratio] against each target's raw baseline (socket.io in fanout, ackrtt). */
function baselineRows(summary, metricsOf) {
  const rows = [];
  for (const [scenario, byMetric] of Object.entries(summary)) {
    for (const { key, label, better, chart } of metricsOf[scenario]) {
      if (chart === false) continue;
      for (const [target, row] of Object.entries(byMetric[key] ?? {})) {
        const base = baselinesFor(scenario, target)[0];
        if (target === base || row.ratios[base] === undefined) continue;
        rows.push({ label: `${label} (${better} is better)`, target, base, ratio: row.ratios[base] });
      }
    }
  }
  return rows;
}

function baselineSection(summary, metricsOf, top) {
  const rows = baselineRows(summary, metricsOf);
  const scale = logScale(rows.map((r) => r.ratio));
  const parts = [text(10, top, 'Every target / its raw baseline (ws, http-lp; bundles / engine.io-client; fan-out and acks / socket.io)', 'font-size="14" font-weight="bold"')];
  let y = top + 12;
  const y0 = y;
  let previous = null;
  for (const row of rows) {
    if (row.label !== previous) {
      parts.push(text(10, y + 16, row.label, 'font-size="12" font-weight="bold"'));
      y += ROW_H;
      previous = row.label;
    }
    const ferry = row.target.startsWith('ferry');
    parts.push(text(24, y + 16, `${row.target} / ${row.base}`, 'font-size="12"'));
    parts.push(bar(scale, y, row.ratio, ferry ? COLORS.ferry : COLORS.peer));
    parts.push(text(PLOT_X + PLOT_W + 10, y + 16, `${row.ratio.toFixed(2)}×`, 'font-size="12"'));
    y += ROW_H;
  }
  return { svg: axis(scale, y0, y) + '\n' + parts.join('\n'), height: y + 24 - top };
}

/** The whole chart for a results.json object, as an SVG document. */
export function renderChart(results) {
  const title = `Ferry benchmarks (${results.mode} run, ${results.date.slice(0, 10)}, ${results.machine.cpus} CPUs, Node ${results.machine.node}); bars grow from 1×, dashed line = goal`;
  const goals = goalSection(results.goals, 50);
  const peers = baselineSection(results.summary, results.metrics, 50 + goals.height + 20);
  const height = 50 + goals.height + 20 + peers.height + 10;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    text(10, 24, title, 'font-size="13"'),
    goals.svg,
    peers.svg,
    '</svg>',
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const input = process.argv[2] ?? fileURLToPath(new URL('./results.json', import.meta.url));
  const output = process.argv[3] ?? fileURLToPath(new URL('./results.svg', import.meta.url));
  writeFileSync(output, renderChart(JSON.parse(readFileSync(input, 'utf8'))));
  console.log(`wrote ${output}`);
}
