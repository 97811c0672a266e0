import { RELAY_ORIGIN_ELEMENT } from '../../protocol/index.js';
import { openIframeStream, request } from '../env/browser.js';
import { RelayHost, type RelayEvent } from './relay-host.js';

/**
 * The `{path}/ferry-relay.js` entry (and its ES5 build), run by `{path}/iframe.html`: reads the
 * parent origin the server embedded, and relays for that parent only.
 */
declare const window: Window & { __ferryRelay?: RelayHost; attachEvent?: (type: string, fn: (event: RelayEvent) => void) => void };

function start(): void {
  // the module and the nomodule script can both run in a few browsers (Safari 10.1): relay once
  if (window.__ferryRelay || window.parent === window) return;
  const element = document.getElementById(RELAY_ORIGIN_ELEMENT) as HTMLScriptElement | null;
  if (element === null) return;
  let parentOrigin: unknown;
  try {
    parentOrigin = JSON.parse(element.text);
  } catch (e) {
    return;
  }
  if (typeof parentOrigin !== 'string') return;
  const pathname = location.pathname;
  const host = new RelayHost(parentOrigin, window.parent, pathname.slice(0, pathname.lastIndexOf('/')), {
    request: request,
    openIframeStream: openIframeStream,
  });
  window.__ferryRelay = host;
  const onMessage = (event: RelayEvent) => {
    host.receive(event || (window.event as unknown as RelayEvent));
  };
  if (window.addEventListener) window.addEventListener('message', onMessage as unknown as EventListener, false);
  else if (window.attachEvent) window.attachEvent('onmessage', onMessage);
  host.start();
}

start();
