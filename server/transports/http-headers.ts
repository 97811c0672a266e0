/** Headers every transport response carries: nothing cached, nothing buffered, nothing sniffed. */
export const NO_STORE_HEADERS: Readonly<Record<string, string>> = {
  'Cache-Control': 'no-store, no-cache, must-revalidate',
  Pragma: 'no-cache',
  Expires: '0',
  'X-Accel-Buffering': 'no',
  'X-Content-Type-Options': 'nosniff',
};

/** No extra headers (a request without CORS): one shared, frozen object. */
export const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});
