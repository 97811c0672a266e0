// No proxy: the browser talks to the app server itself.
import type { NetworkPath, RunningPath } from './network-path.js';

export const direct: NetworkPath = {
  name: 'direct',
  async start(appPort: number): Promise<RunningPath> {
    return {
      pageOrigin: `http://127.0.0.1:${appPort}`,
      diagnostics: () => 'direct: no proxy',
      async stop() {},
    };
  },
};
