// One load generator in a process of its own, driving a server with the
// target library's own Node client. argv: target name, scenario name, JSON
// parameters (at least { port }). The scenario's loadHandlers answer the runner.
import { serve, jsonArg } from './lib/worker.mjs';
import { connector } from './lib/session.mjs';
import { loadTarget } from './targets/index.mjs';

const { spec, adapter } = await loadTarget(process.argv[2]);
if (adapter.prepareClient) await adapter.prepareClient();
const params = jsonArg(4);
const { loadHandlers } = await import(`./scenarios/${process.argv[3]}.mjs`);
serve(loadHandlers(connector(adapter, params.port, spec.mode, params.hosts ?? 1), params));

// Client libraries throw from timers now and then under load: report the
// first few and keep going; the scenario's own checks catch lost messages.
let uncaught = 0;
process.on('uncaughtException', (error) => {
  if (++uncaught <= 3) process.stderr.write(`[load ${process.argv[2]}] uncaught: ${error?.stack ?? error}\n`);
});
