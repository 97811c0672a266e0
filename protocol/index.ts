export { PROTOCOL_VERSION, TRANSPORT_NAMES, isPolling, isTransportName, type Handshake, type TransportName } from './version.js';
export { CloseCode, HttpError, type CloseCodeValue, type HttpErrorBody, type HttpErrorCode } from './close-codes.js';
export {
  ProtocolError,
  decodePacket,
  encodeAck,
  encodeControl,
  encodeMessageFrame,
  encodePacket,
  isBytes,
  utf8Length,
  type AppData,
  type Frame,
  type JsonValue,
} from './frames.js';
export { decodeBase64, encodeBase64 } from './base64.js';
export { BINARY_FRAME_HEADER, decodeBinaryFrame, encodeBinaryFrame } from './binary-frame.js';
export { ReliableChannel, entryText, type AcceptResult, type OutboundEntry } from './reliable-channel.js';
export { IFRAME_CALLBACK_PATTERN, IframeStreamDecoder, iframeCallbackName, iframeChunk, iframePrelude } from './iframe-codec.js';
