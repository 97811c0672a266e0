import { crossOriginHelpers } from './env/cross-origin-helpers.js';

/** The `{path}/ferry-cross-origin.js` entry (modern build): hands the helpers to ferry.js (env/cross-origin-lazy.ts). */
(window as unknown as { FerryCrossOrigin: unknown }).FerryCrossOrigin = crossOriginHelpers;
