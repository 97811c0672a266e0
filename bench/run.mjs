// Runs the benchmark suite: every scenario, in rounds that interleave the
// targets, then prints medians and ratios, judges the goals, and writes
// bench/results.json and bench/results.svg (a quick or subset run writes
// results-quick.* or results-partial.* instead).
//   node bench/run.mjs [--quick] [--only=echo,latency] [--targets=ws,ferry-ws] [--rounds=N]
import { existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { FULL, QUICK } from './config.mjs';
import { judgeGoals, GOALS } from './goals.mjs';
import { sleep, withTimeout } from './lib/limits.mjs';
import { killAll } from './lib/spawn.mjs';
import { summarize, formatTable, formatGoals, legend } from './report.mjs';
import { renderChart } from './chart.mjs';
import { TARGETS } from './targets/index.mjs';

const SCENARIOS = ['echo', 'latency', 'push', 'memory', 'setup', 'capacity', 'fanout', 'ackrtt', 'cluster', 'clusterfanout', 'clusterheld', 'bundle'];
// One measurement may take this long before its processes are killed.
const RUN_LIMIT_MS = { capacity: 240_000, fanout: 240_000, cluster: 150_000, clusterfanout: 240_000, clusterheld: 300_000, default: 90_000 };

function parseArgs(argv) {
  const flags = Object.fromEntries(argv.filter((a) => a.startsWith('--')).map((a) => {
    const [key, value = 'true'] = a.slice(2).split('=');
    return [key, value];
  }));
  const list = (value) => (value ? value.split(',').map((s) => s.trim()).filter(Boolean) : null);
  const unknown = Object.keys(flags).filter((k) => !['quick', 'only', 'targets', 'rounds'].includes(k));
  if (unknown.length) throw new Error(`unknown option(s): ${unknown.join(', ')}`);
  return { quick: flags.quick === 'true', only: list(flags.only), targets: list(flags.targets), rounds: flags.rounds ? Number(flags.rounds) : null };
}

const ferryFiles = ['../dist/server/index.js', '../dist/client/index.js'].map((p) => fileURLToPath(new URL(p, import.meta.url)));

/** Whether dist/ holds Ferry; waits a few seconds in case a build is swapping it in. */
async function ferryBuilt() {
  for (let attempt = 0; attempt < 20; attempt++) {
    if (ferryFiles.every((file) => existsSync(file))) return true;
    await sleep(500);
  }
  return false;
}

const log = (line) => process.stderr.write(`${line}\n`);

function describe(value) {
  return Object.entries(value)
    .filter(([, v]) => typeof v === 'number')
    .map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toFixed(v < 10 ? 2 : 0)}`)
    .join(' ');
}

/**
 * Runs `name` for `rounds` rounds over `targets`, rotating their order each round. A scenario with
 * `runGroup` runs all targets of a round together (they share the machine's noise); otherwise
 * each target runs on its own, one after another.
 */
async function runScenario(name, scenario, settings, targets) {
  const rounds = [];
  const errors = [];
  const limit = RUN_LIMIT_MS[name] ?? RUN_LIMIT_MS.default;
  for (let r = 0; r < settings.rounds; r++) {
    const round = {};
    const order = targets.map((_, i) => targets[(i + r) % targets.length]);
    const record = (target, result, t0) => {
      round[target] = result;
      if (result.error) {
        errors.push({ round: r + 1, target, error: result.error });
        log(`[${name} ${r + 1}/${settings.rounds}] ${target.padEnd(16)} FAILED: ${result.error}`);
      } else {
        log(`[${name} ${r + 1}/${settings.rounds}] ${target.padEnd(16)} ${describe(result)}  (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      }
    };
    const failure = (error) => {
      killAll();
      return { error: String(error?.message ?? error).split('\n')[0] };
    };
    if (scenario.runGroup) {
      const t0 = Date.now();
      let results;
      try {
        results = await withTimeout(scenario.runGroup(order, settings), limit, `${name} (${order.join(', ')})`);
      } catch (error) {
        const failed = failure(error);
        results = Object.fromEntries(order.map((target) => [target, failed]));
      }
      for (const target of order) record(target, results[target], t0);
    } else {
      for (const target of order) {
        const t0 = Date.now();
        try {
          record(target, await withTimeout(scenario.run(target, settings), limit, `${name} ${target}`), t0);
        } catch (error) {
          record(target, failure(error), t0);
        }
      }
    }
    rounds.push(round);
  }
  return { rounds, errors };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const config = args.quick ? QUICK : FULL;
  const started = Date.now();
  const haveFerry = await ferryBuilt();
  const notes = [];
  if (!haveFerry) notes.push('dist/ is not built (npm run build): Ferry targets skipped.');
  const results = {};
  const metricsOf = {};
  for (const name of SCENARIOS.filter((s) => !args.only || args.only.includes(s))) {
    const scenario = await import(`./scenarios/${name}.mjs`);
    // a scenario that cannot run on this machine (cluster: no redis-server or nginx) says why, loudly
    const skipped = scenario.skip?.();
    if (skipped) {
      log(`${'!'.repeat(78)}\n!!  ${name} SKIPPED: ${skipped}\n${'!'.repeat(78)}`);
      notes.push(`${name} skipped: ${skipped}.`);
      continue;
    }
    const settings = { ...config[name], ...(args.rounds ? { rounds: args.rounds } : {}) };
    let targets = scenario.targets ?? settings.targets;
    if (args.targets) targets = targets.filter((t) => args.targets.includes(t));
    if (!haveFerry) targets = targets.filter((t) => !TARGETS[t]?.ferry && !t.startsWith('ferry'));
    metricsOf[name] = scenario.metrics;
    log(`== ${name}: ${targets.join(', ')} × ${settings.rounds} round(s)`);
    results[name] = await runScenario(name, scenario, settings, targets);
  }

  const summary = summarize(results, metricsOf);
  const goals = judgeGoals(summary).filter((g) => !args.only || args.only.includes(g.scenario));
  const output = {
    date: new Date().toISOString(),
    mode: args.quick ? 'quick' : 'full',
    args,
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version, loadavg: os.loadavg() },
    seconds: Math.round((Date.now() - started) / 1000),
    notes,
    config,
    metrics: metricsOf,
    summary,
    goals,
    results,
  };
  // only a whole full run replaces the published figures; quick and subset runs go beside them
  const subset = args.only || args.targets || args.rounds;
  const base = subset ? 'results-partial' : args.quick ? 'results-quick' : 'results';
  writeFileSync(new URL(`./${base}.json`, import.meta.url), JSON.stringify(output, null, 2) + '\n');
  writeFileSync(new URL(`./${base}.svg`, import.meta.url), renderChart(output));

  console.log(`\nFerry benchmarks, ${output.mode} run, ${output.seconds} s, ${output.machine.cpus} CPUs, Node ${process.version}`);
  console.log('Medians across rounds; ratios are medians of per-round ratios to the baseline measured in the same round.\n');
  for (const line of formatTable(summary, metricsOf, goals)) console.log(line);
  console.log(`\n${legend()}\n\nGoals (${goals.length} of ${GOALS.length}):`);
  for (const line of formatGoals(goals)) console.log(line);
  const failures = Object.entries(results).flatMap(([name, r]) => r.errors.map((e) => `  ${name} round ${e.round} ${e.target}: ${e.error}`));
  if (failures.length) console.log(`\nFailed measurements (${failures.length}):\n${failures.join('\n')}`);
  for (const note of notes) console.log(`\nNote: ${note}`);
  console.log(`\nWrote bench/${base}.json and bench/${base}.svg`);
}

main()
  .catch((error) => {
    console.error(error?.stack ?? error);
    process.exitCode = 1;
  })
  .finally(() => {
    killAll();
    setTimeout(() => process.exit(), 50).unref();
  });
