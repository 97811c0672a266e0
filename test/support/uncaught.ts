/**
 * Runs `body` with the process's `uncaughtException` listeners (vitest's among them) set aside
 * and one that records instead, then puts them back exactly as they were, in order. For tests of
 * errors the library deliberately rethrows outside its own code.
 */
export async function captureUncaught(body: (caught: unknown[]) => Promise<void>): Promise<void> {
  const saved = process.listeners('uncaughtException');
  const caught: unknown[] = [];
  const record = (error: unknown): void => {
    caught.push(error);
  };
  process.removeAllListeners('uncaughtException');
  process.on('uncaughtException', record);
  try {
    await body(caught);
  } finally {
    process.off('uncaughtException', record);
    for (const listener of saved) process.on('uncaughtException', listener);
  }
}
