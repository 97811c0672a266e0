import { direct } from './direct.js';
import type { NetworkPath } from './network-path.js';
import { nginxIdleTimeout, nginxNoUpgradeBuffering } from './nginx.js';
import { randomCut } from './random-cut.js';
import { squidNoConnect } from './squid-no-connect.js';
import { wsBlackhole } from './ws-blackhole.js';

export type { NetworkPath, PathName, RunningPath } from './network-path.js';

/** Every path, in the order the suite and the compatibility table list them. */
export const NETWORK_PATHS: readonly NetworkPath[] = [
  direct,
  squidNoConnect,
  nginxNoUpgradeBuffering,
  nginxIdleTimeout,
  wsBlackhole,
  randomCut,
];
