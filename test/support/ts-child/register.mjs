// `node --import ./register.mjs child.ts`: lets a child process run the TypeScript sources as they
// are (imports spelled `.js` find their `.ts` file), so a test can put a server in its own process.
import { register } from 'node:module';

register('./hooks.mjs', import.meta.url);
