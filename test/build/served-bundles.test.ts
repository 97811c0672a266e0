import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { closeAfterEach, startServer } from '../support/harness.js';

// `npm test` builds first. The bundle ferry.js loads on first use is served like ferry.js itself.
const track = closeAfterEach();
const built = (file: string) => readFileSync(new URL('../../dist/client/' + file, import.meta.url), 'utf8');
const modern = built('ferry.js');

describe('served bundles', () => {
  it('ferry.js asks for ferry-cross-origin.js by a content hash; the server serves it with the headers of ferry.js', async () => {
    const version = /"(\?v=[0-9a-f]{12})"/.exec(modern)?.[1];
    expect(version).toBeDefined();
    const server = track(await startServer());
    const main = await fetch(server.origin + '/ferry/ferry.js');
    const helpers = await fetch(server.origin + '/ferry/ferry-cross-origin.js' + version);
    expect(helpers.status).toBe(200);
    for (const name of ['content-type', 'cache-control', 'x-content-type-options']) expect([name, helpers.headers.get(name)]).toEqual([name, main.headers.get(name)]);
    expect(helpers.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await helpers.text()).toBe(built('ferry-cross-origin.js'));
  });
});
