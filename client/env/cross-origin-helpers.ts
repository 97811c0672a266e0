import { browserJsonp } from './browser-jsonp.js';
import type { CrossOriginHelpers } from './cross-origin.js';
import { RelayChannel } from './relay.js';

/** The cross-origin helpers themselves (the legacy bundle and bundlers include them directly). */
export const crossOriginHelpers: CrossOriginHelpers = {
  jsonp: browserJsonp,
  relay: (base, origin, pageOrigin, query) => {
    return new RelayChannel(base, origin, pageOrigin, query);
  },
};
