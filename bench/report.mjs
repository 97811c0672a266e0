// Turns per-round results into medians and ratios, and prints them as a table
// with each goal's PASS/MISS next to the row it judges.
import { median } from './lib/stats.mjs';
import { TARGETS, baselinesFor } from './targets/index.mjs';
import { describeGoal } from './goals.mjs';

/** The targets each target's figures are divided by: its family's baselines (Socket.IO's in fanout and ackrtt). */
const baselinesOf = baselinesFor;

/**
 * scenario -> metric -> target -> { median, rounds, ratios: baseline -> median
 * of the per-round ratios }. Only rounds where both sides succeeded count.
 */
export function summarize(results, metricsOf) {
  const summary = {};
  for (const [scenario, { rounds }] of Object.entries(results)) {
    summary[scenario] = {};
    for (const { key } of metricsOf[scenario]) {
      // a metric this run's settings did not ask for (fanout's 10,000 sessions in --quick) gets no rows
      const asked = rounds.some((round) => Object.values(round).some((result) => result && (key in result || result.error)));
      if (!asked) continue;
      const rows = (summary[scenario][key] = {});
      const targets = [...new Set(rounds.flatMap((round) => Object.keys(round)))];
      for (const target of targets) {
        const values = rounds.map((round) => round[target]?.[key]).filter(Number.isFinite);
        const ratios = {};
        for (const baseline of baselinesOf(scenario, target)) {
          const perRound = rounds.map((round) => round[target]?.[key] / round[baseline]?.[key]);
          const ratio = median(perRound);
          if (Number.isFinite(ratio)) ratios[baseline] = ratio;
        }
        rows[target] = { median: median(values), rounds: values.length, ratios };
      }
    }
  }
  return summary;
}

function formatValue(value, unit) {
  if (!Number.isFinite(value)) return '-';
  if (unit === 'ms') return `${value.toFixed(2)} ms`;
  if (unit === 'bytes') return value >= 10_000 ? `${(value / 1024).toFixed(1)} KiB` : `${Math.round(value).toLocaleString('en-US')} B`;
  return `${Math.round(value).toLocaleString('en-US')} ${unit}`;
}

// 'sio': Socket.IO in the same family (sio-ws or sio-poll), in fanout and ackrtt
const RATIO_COLUMNS = ['ws', 'http-lp', 'eio-poll', 'sio'];

/** The table, as text lines: one row per metric and target. */
export function formatTable(summary, metricsOf, goals) {
  const header = ['benchmark', 'target', 'median', 'rounds', '× ws', '× http-lp', '× eio-poll', '× sio', 'goal', 'result'];
  const rows = [];
  for (const [scenario, byMetric] of Object.entries(summary)) {
    for (const { key, label, unit } of metricsOf[scenario]) {
      let first = true;
      for (const [target, row] of Object.entries(byMetric[key] ?? {})) {
        const goal = goals.find((g) => g.scenario === scenario && g.metric === key && g.target === target);
        const ratioCells = RATIO_COLUMNS.map((base) => {
          if (scenario === 'bundle') return base === 'ws' && row.ratios['engine.io-client'] !== undefined ? `${row.ratios['engine.io-client'].toFixed(2)} (eio-client)` : '';
          // the cluster scenario's one ratio (3 nodes / 1 node) goes in the first column
          if (scenario === 'cluster') return base === 'ws' && target !== 'ferry-xhr-1node' && row.ratios['ferry-xhr-1node'] !== undefined ? `${row.ratios['ferry-xhr-1node'].toFixed(2)} (1node)` : '';
          const ratio = base === 'sio' ? row.ratios['sio-ws'] ?? row.ratios['sio-poll'] ?? row.ratios['sio-ws-3nodes'] : row.ratios[base];
          return ratio !== undefined ? ratio.toFixed(2) : '';
        });
        rows.push([
          first ? `${label} (${unit})` : '',
          target,
          row.rounds === 0 ? 'failed' : formatValue(row.median, unit),
          String(row.rounds),
          ...ratioCells,
          goal ? describeGoal(goal) : '',
          goal ? goal.status : '',
        ]);
        first = false;
      }
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => (i >= 2 && i <= 7 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

/** One line per goal: its ratio (or count) against the bar. */
export function formatGoals(goals) {
  return goals.map((g) => {
    const measured = g.note ?? (g.measured === undefined ? 'not measured' : g.absolute !== undefined ? g.measured.toLocaleString('en-US') : `${g.measured.toFixed(2)}×`);
    return `${g.status.padEnd(4)}  ${g.label.padEnd(34)} ${measured.padStart(12)}   goal ${describeGoal(g)}`;
  });
}

/** Labels for the table's target column, for the legend under it. */
export const legend = () => Object.entries(TARGETS).map(([name, spec]) => `${name} = ${spec.label}`).join('; ');
