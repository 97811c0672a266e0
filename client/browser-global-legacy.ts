import { PROTOCOL_VERSION } from '../protocol/index.js';
import { WebSocket, connect } from './browser-module.js';

/** The `<script src="/ferry/ferry.legacy.js">` entry (ES5 build): defines `window.Ferry`, everything included. */
(window as unknown as { Ferry: unknown }).Ferry = { connect: connect, WebSocket: WebSocket, protocol: PROTOCOL_VERSION };
