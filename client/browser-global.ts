import { connect } from './browser-module.js';
import { PROTOCOL_VERSION } from '../protocol/index.js';

/** The `<script src="/ferry/ferry.js">` entry: defines `window.Ferry`. */
(window as unknown as { Ferry: unknown }).Ferry = { connect: connect, protocol: PROTOCOL_VERSION };
