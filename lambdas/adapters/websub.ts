// WebSub (https://www.w3.org/TR/websub/) publisher side: after ingest changes feed scopes, tell the hub which feed
// URLs changed so subscribers get the new content pushed. The publish request is the de-facto one hubs accept
// (POST, form-encoded `hub.mode=publish` + `hub.url`). Pings never throw: a hub that is down must not fail ingest;
// results come back for logging and metrics.
import { feedFormats, feedUrl, parseScopeId } from '../core/feeds/scopes.js';
import { mapLimited } from '../core/shared/concurrency.js';

export interface HubPingResult {
  feedUrl: string;
  ok: boolean;
  status?: number;
  error?: string;
}

export interface PingOptions {
  /** Per request. Default 5 s. */
  timeoutMs?: number;
  /** Requests in flight at once. Default 4. */
  concurrency?: number;
}

/** Every feed URL (all formats) of the given scope ids; unknown scope ids are skipped. Archive pages are not pinged. */
export function feedUrlsForScopes(baseUrl: string, scopeIds: readonly string[]): string[] {
  const urls: string[] = [];
  for (const id of [...new Set(scopeIds)].sort()) {
    const scope = parseScopeId(id);
    if (!scope) continue;
    for (const format of feedFormats) urls.push(feedUrl(baseUrl, scope, format));
  }
  return urls;
}

/** Pings the hub once per feed URL; resolves with one result per URL, never rejects. */
export async function pingHub(
  hubUrl: string,
  feedUrls: readonly string[],
  fetchImpl: typeof fetch = fetch,
  options: PingOptions = {},
): Promise<HubPingResult[]> {
  const timeoutMs = options.timeoutMs ?? 5000;
  return mapLimited(feedUrls, options.concurrency ?? 4, async (url): Promise<HubPingResult> => {
    try {
      const response = await fetchImpl(hubUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ 'hub.mode': 'publish', 'hub.url': url }).toString(),
        redirect: 'error',
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.body?.cancel().catch(() => undefined);
      return response.ok
        ? { feedUrl: url, ok: true, status: response.status }
        : { feedUrl: url, ok: false, status: response.status, error: `hub answered ${response.status}` };
    } catch (error) {
      const e = error as Error;
      return { feedUrl: url, ok: false, error: e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : e.message };
    }
  });
}

/**
 * What ingest calls after a run (`BackgroundPorts.itemsChanged`): pings the hub for every feed of the changed scopes.
 * Undefined when no hub is configured.
 */
export function createWebSubNotifier(
  settings: { hubUrl?: string; baseUrl: string },
  fetchImpl: typeof fetch = fetch,
  options: PingOptions = {},
): ((changedScopes: readonly string[]) => Promise<HubPingResult[]>) | undefined {
  const { hubUrl, baseUrl } = settings;
  if (!hubUrl) return undefined;
  return (changedScopes) => pingHub(hubUrl, feedUrlsForScopes(baseUrl, changedScopes), fetchImpl, options);
}
