/**
 * A JSON message may not carry bytes inside it: `JSON.stringify` turns a nested Buffer into
 * `{"type":"Buffer","data":[…]}` and any other typed array or ArrayBuffer into `{"0":…}` or `{}`,
 * so the receiver would get a different shape than was sent. Bytes travel as a message of their
 * own. ES5-safe (no ArrayBuffer.isView where there is no ArrayBuffer).
 */

/** Whether `value` is bytes of some kind (a typed array, a DataView, an ArrayBuffer). */
function isBinary(value: object): boolean {
  if (typeof ArrayBuffer === 'undefined') return false;
  return value instanceof ArrayBuffer || ArrayBuffer.isView(value);
}

/** The JSON text of a value holding bytes always shows one of these; text without them needs no walk. */
function mayHoldBinary(json: string): boolean {
  return json.indexOf('{}') >= 0 || json.indexOf('{"0":') >= 0 || json.indexOf('"Buffer"') >= 0;
}

function find(value: unknown, path: string): string | null {
  if (typeof value !== 'object' || value === null) return null;
  if (isBinary(value)) return path === '' ? '(the message)' : path;
  // what stringify wrote for an object with toJSON (a Date…) is that method's, not its fields
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return null;
  if (Object.prototype.toString.call(value) === '[object Array]') {
    const list = value as unknown[];
    for (let i = 0; i < list.length; i++) {
      const found = find(list[i], path + '[' + i + ']');
      if (found !== null) return found;
    }
    return null;
  }
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
    const found = find((value as { [key: string]: unknown })[key], path === '' ? key : path + '.' + key);
    if (found !== null) return found;
  }
  return null;
}

/**
 * Throws a TypeError when `value`, whose JSON text is `json` (so it has no cycles), holds bytes
 * below its top level. Cheap for the usual message: the text is searched before any walk.
 */
export function assertNoNestedBinary(value: unknown, json: string): void {
  if (!mayHoldBinary(json)) return;
  const at = find(value, '');
  if (at === null) return;
  throw new TypeError(
    'ferry: binary data at ' + at + ' inside a JSON message is not supported: send the bytes as a message of their own, or encode them (e.g. base64)',
  );
}
