// An in-process stand-in for one-off EventBridge Scheduler schedules (`at(...)`): each schedule invokes its job's
// handler once at its time with the same `{job, payload}` input the AWS target receives; a failed invocation is
// retried with backoff (the scheduler's retry policy) and then dropped to `failures` (its dead-letter queue).
import { logger } from '../adapters/observability.js';

export type JobHandler = (input: { job: string; payload: unknown }) => Promise<unknown>;

export interface LocalScheduler {
  schedule(job: string, at: Date, payload: unknown): Promise<void>;
  /** Resolves when no schedule is pending or running. */
  idle(timeoutMs?: number): Promise<void>;
  stop(): void;
  failures(): Array<{ job: string; payload: unknown; error: string }>;
}

export function createLocalScheduler(options: { jobs: Record<string, JobHandler>; now?: () => number; retries?: number; retryBaseMs?: number }): LocalScheduler {
  const now = options.now ?? Date.now;
  const timers = new Set<NodeJS.Timeout>();
  const failed: Array<{ job: string; payload: unknown; error: string }> = [];
  let running = 0;

  const run = async (job: string, payload: unknown) => {
    const handler = options.jobs[job];
    running++;
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          if (!handler) throw new Error(`No local handler for job "${job}".`);
          await handler({ job, payload });
          return;
        } catch (error) {
          if (attempt >= (options.retries ?? 3)) {
            failed.push({ job, payload, error: (error as Error).message });
            logger.error('scheduled job failed', { job, error: (error as Error).message });
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, (options.retryBaseMs ?? 200) * 2 ** attempt));
        }
      }
    } finally {
      running--;
    }
  };

  return {
    async schedule(job, at, payload) {
      const delay = Math.max(0, at.getTime() - now());
      const timer = setTimeout(() => {
        timers.delete(timer);
        void run(job, payload);
      }, Math.min(delay, 2 ** 31 - 1));
      timers.add(timer);
    },
    async idle(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (timers.size > 0 || running > 0) {
        if (Date.now() > deadline) throw new Error(`Scheduled jobs still pending after ${timeoutMs} ms.`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    stop() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
    failures: () => [...failed],
  };
}
