// Binds the feed fetcher and parser to configured limits: what pollSource needs to reach a source.
import type { Config } from '../../config.js';
import type { PollDeps } from '../../core/ingest/sources.js';
import { fetchSource, type FetchIo } from './fetch.js';
import { parseFeed } from '../../core/ingest/feed-parser.js';

export function createSourcePoller(config: Config, io?: FetchIo): Pick<PollDeps, 'fetch' | 'parse'> {
  const limits = {
    timeoutMs: config.FETCH_TIMEOUT_MS,
    maxBytes: config.FETCH_MAX_BYTES,
    maxRedirects: config.FETCH_MAX_REDIRECTS,
    allowLoopback: config.ALLOW_LOOPBACK_SOURCES,
  };
  return {
    fetch: (url, validators) => fetchSource(url, validators, limits, io),
    parse: (body, options) => parseFeed(body, options),
  };
}
