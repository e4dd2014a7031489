// Guessing the editor token meets a limit: failed attempts (console sign-in and wrong API bearer tokens alike) are
// counted per client address and overall in shared fixed windows; each failure answers more slowly than the one
// before, and past either limit every attempt answers 429 with Retry-After until the window ends.
import type { Clock } from '../../../core/shared/ports.js';
import type { EditorAccessStore } from '../../dynamo/editor-access.js';
import { logger } from '../../observability.js';

export interface SignInLimitSettings {
  perClient: number;
  overall: number;
  windowMs: number;
  /** How long the answer to the n-th failure (1-based) of a client waits. */
  delayMs: (failures: number) => number;
  sleep: (ms: number) => Promise<void>;
}

export const defaultSignInLimits: SignInLimitSettings = {
  perClient: 10,
  overall: 100,
  windowMs: 15 * 60 * 1000,
  delayMs: (failures) => Math.min(4000, 125 * 2 ** (failures - 1)),
  sleep: (ms) => new Promise((done) => setTimeout(done, ms)),
};

export type SignInVia = 'console' | 'api' | 'cognito';

export interface SignInLimit {
  /** Seconds to wait when the client (or everyone) is over the limit; undefined when it may try. */
  blockedFor(ip: string): Promise<number | undefined>;
  /** Counts a failed attempt, logs it and waits the growing delay. */
  failed(ip: string, via: SignInVia): Promise<void>;
  succeeded(ip: string, via: SignInVia, subject: string): void;
}

export function createSignInLimit(store: EditorAccessStore, clock: Clock, settings: SignInLimitSettings = defaultSignInLimits): SignInLimit {
  const buckets = (ip: string) => [`ip:${ip}`, 'all'];
  const windowEnd = (now: Date) => (Math.floor(now.getTime() / settings.windowMs) + 1) * settings.windowMs;
  return {
    async blockedFor(ip) {
      const now = clock.now();
      const [client = 0, all = 0] = await store.failures(buckets(ip), now, settings.windowMs);
      if (client < settings.perClient && all < settings.overall) return undefined;
      logger.warn('editor.signIn.throttled', { ip, clientFailures: client, allFailures: all });
      return Math.max(1, Math.ceil((windowEnd(now) - now.getTime()) / 1000));
    },
    async failed(ip, via) {
      const [client = 1] = await store.recordFailure(buckets(ip), clock.now(), settings.windowMs);
      logger.warn('editor.signIn.failed', { ip, via, failures: client });
      await settings.sleep(settings.delayMs(client));
    },
    succeeded(ip, via, subject) {
      logger.info('editor.signIn.ok', { ip, via, subject });
    },
  };
}
