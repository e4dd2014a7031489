// Following a click link: a token that verifies answers with the item's own link (or the edition's archive page);
// anything else answers nothing (the route says 404), so the redirect can never send anyone elsewhere. The click is
// handed to the sink within a tight time budget and counted later, elsewhere: the answer never waits on counting.
import { archiveUrl } from '../editions/newsletter.js';
import type { Clock } from '../shared/ports.js';
import { archiveRef, verifyClickToken } from './click-token.js';
import type { ClickSink } from './ports.js';
import { machineReason } from './readers.js';

export interface ClickRedirectDeps {
  secret: string;
  publicBaseUrl: string;
  /** The item's link as stored now, or undefined when there is no such item. */
  linkOf(itemId: string): Promise<string | undefined>;
  sink: ClickSink;
  clock: Clock;
  /** false (CLICK_TRACKING=off): links already sent still redirect, and nothing is counted. */
  counting: boolean;
  /** Longest the answer waits for the sink to take the click; past it the click goes uncounted. */
  handOverBudgetMs: number;
  onHandOverFailed(reason: string): void;
}

const webLink = (link: string) => {
  try {
    const url = new URL(link);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined;
  } catch {
    return undefined;
  }
};

export function createClickRedirect(deps: ClickRedirectDeps) {
  return async (token: string, request: { method: string; header(name: string): string | undefined }): Promise<string | undefined> => {
    const claims = verifyClickToken(token, deps.secret);
    if (!claims) return undefined;
    const target = claims.itemRef === archiveRef ? archiveUrl(deps.publicBaseUrl, claims.editionId) : webLink((await deps.linkOf(claims.itemRef)) ?? '');
    if (!target) return undefined;
    if (!deps.counting) return target;
    const at = deps.clock.now();
    const machine = machineReason({ method: request.method, header: request.header, sentAt: claims.sentAt, at });
    const handedOver = deps.sink.submit({
      editionId: claims.editionId,
      itemRef: claims.itemRef,
      language: claims.segment.language,
      countries: claims.segment.countries,
      topics: claims.segment.topics,
      sentAt: claims.sentAt.toISOString(),
      at: at.toISOString(),
      readerNonce: claims.readerNonce,
      ...(machine ? { machine } : {}),
    });
    let timer: NodeJS.Timeout | undefined;
    const budget = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), deps.handOverBudgetMs)));
    try {
      if ((await Promise.race([handedOver.then(() => 'ok' as const), budget])) === 'late') deps.onHandOverFailed('over budget');
    } catch (error) {
      deps.onHandOverFailed((error as Error).name);
    } finally {
      clearTimeout(timer);
    }
    return target;
  };
}
