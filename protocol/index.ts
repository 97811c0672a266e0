export { PROTOCOL_MINOR, PROTOCOL_VERSION, TRANSPORT_NAMES, isPolling, isTransportName, type Handshake, type TransportName } from './version.js';
export { CloseCode, HttpError, type CloseCodeValue, type HttpErrorBody, type HttpErrorCode } from './close-codes.js';
export {
  ProtocolError,
  protocolErrorReason,
  decodePacket,
  encodeAck,
  encodeControl,
  encodeMessageFrame,
  encodePacket,
  isBytes,
  utf8Length,
  MAX_ANSWER_REASON_LENGTH,
  type AppData,
  type Frame,
  type JsonValue,
  type SeqCursor,
} from './frames.js';
export { decodeBase64, encodeBase64 } from './base64.js';
export { FERRY_QUERY_PARAMS, isFerryQueryParam } from './app-query.js';
export { BINARY_FRAME_HEADER, decodeBinaryFrame, encodeBinaryFrame } from './binary-frame.js';
export { ReliableChannel, entryText, socketEntryText, type AcceptResult, type OutboundEntry } from './reliable-channel.js';
export { IFRAME_CALLBACK_PATTERN, IframeStreamDecoder, iframeCallbackName, iframeChunk, iframePrelude, scriptSafeJsonString } from './iframe-codec.js';
export { JSONP_CALLBACK_PATTERN, JSONP_SEND_FIELD, decodeJsonpBody, jsonpBody, jsonpCallbackName } from './jsonp-codec.js';
export { RELAY_ORIGIN_ELEMENT, RELAY_PAGE, decodeRelayMessage, encodeRelayMessage, relayRoute, type RelayMessage } from './relay-messages.js';
export { SseDecoder, sseEvent, ssePrelude, type SseEvent } from './sse-codec.js';
export { LineDecoder, lineChunk, linePrelude } from './line-codec.js';
export { MAX_ACK_ID, answerItem, eventItem, failedAnswerItem, frameText, implicitPacket, askedAckId, isAckId, isEventOrAnswerItem, messageItem, type AppItem } from './app-items.js';
export {
  MAX_EVENT_NAME_LENGTH,
  RESERVED_EVENTS,
  eventNameProblem,
  type AckCallback,
  type AckResultCallback,
  type DefaultEvents,
  type EventAnswer,
  type EventArgs,
  type EventHandler,
  type EventNames,
  type ReservedEventName,
} from './event-maps.js';
