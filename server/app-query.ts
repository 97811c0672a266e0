import { isFerryQueryParam } from '../protocol/index.js';
import { splitUrl } from './request-params.js';

/** The app's query parameters of a request: a value per name, an array when a name repeats. */
export type AppQuery = Readonly<Record<string, string | string[]>>;

/** Shared by every session whose handshake had no query of the app's (most): no object each. */
const NO_QUERY: AppQuery = Object.freeze({});

/**
 * The query parameters the app put on its Ferry URL (an auth token, a tenant…), as the client
 * sends them with the handshake: every parameter of `url` except Ferry's own (sid, t, transport…).
 */
export function appQuery(url: string | undefined): AppQuery {
  if (url === undefined || url.indexOf('?') < 0) return NO_QUERY;
  let query: Record<string, string | string[]> | null = null;
  for (const [name, value] of splitUrl(url).params) {
    if (isFerryQueryParam(name)) continue;
    query ??= Object.create(null) as Record<string, string | string[]>;
    const known = query[name];
    query[name] = known === undefined ? value : typeof known === 'string' ? [known, value] : [...known, value];
  }
  return query === null ? NO_QUERY : query;
}
