// Child side of the benchmark's IPC: answers the parent's requests with the
// given handlers and exits as soon as the parent goes away.

/** Serves `handlers` (cmd name -> async function(args)) and reports ready with `readyData`. */
export function serve(handlers, readyData = {}) {
  process.on('disconnect', () => process.exit(0));
  process.on('message', async ({ id, cmd, args }) => {
    const handler = handlers[cmd];
    try {
      if (!handler) throw new Error(`unknown command '${cmd}'`);
      const value = await handler(args);
      process.send({ id, ok: true, value });
    } catch (error) {
      process.send({ id, ok: false, error: String(error?.stack ?? error) });
    }
  });
  process.send({ event: 'ready', data: readyData });
}

/** Parses the JSON object passed as one command-line argument. */
export function jsonArg(index) {
  return JSON.parse(process.argv[index] ?? '{}');
}
