import { RequestError } from './http-errors.js';

/** Reads a non-negative integer query parameter; `fallback` when absent. */
export function intParam(params: URLSearchParams, name: string, fallback?: number): number {
  const raw = params.get(name);
  if (raw === null) {
    if (fallback !== undefined) return fallback;
    throw new RequestError('bad_request', `the ${name} parameter is required`);
  }
  if (!/^[0-9]{1,15}$/.test(raw)) throw new RequestError('bad_request', `the ${name} parameter must be a non-negative integer`);
  return Number(raw);
}

/** Splits a request URL into its path and query without allocating a full URL. */
export function splitUrl(url: string): { pathname: string; params: URLSearchParams } {
  const q = url.indexOf('?');
  return q < 0 ? { pathname: url, params: new URLSearchParams() } : { pathname: url.slice(0, q), params: new URLSearchParams(url.slice(q + 1)) };
}
