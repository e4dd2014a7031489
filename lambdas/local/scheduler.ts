// An in-process stand-in for one-off EventBridge Scheduler schedules (`at(...)`): each schedule invokes its job's
// handler once at its time with the same `{job, payload}` input the AWS target receives; a failed invocation is
// retried with backoff (the scheduler's retry policy) and then dropped to `failures` (its dead-letter queue).
// Given a journal (durable-scheduler.ts), a schedule is stored before `schedule` resolves and forgotten only once its
// job succeeded or failed for good, so one whose time passed while no process ran fires when the next one starts.
import { randomUUID } from 'node:crypto';
import { logger } from '../adapters/observability.js';

export type JobHandler = (input: { job: string; payload: unknown }) => Promise<unknown>;

/** A one-off schedule as the scheduler keeps it (and as a journal stores it); `at` in epoch milliseconds. */
export interface StoredSchedule {
  id: string;
  job: string;
  at: number;
  payload: unknown;
}

/** Durable record of the schedules: each call resolves once the change is stored. */
export interface ScheduleJournal {
  save(schedule: StoredSchedule): Promise<void>;
  /** Its job ran. */
  remove(id: string): Promise<void>;
  /** Its job failed after every retry: kept as a dead letter. */
  deadLetter(schedule: StoredSchedule, error: string): Promise<void>;
}

export interface LocalScheduler {
  schedule(job: string, at: Date, payload: unknown): Promise<void>;
  /** Resolves when no schedule is pending or running. */
  idle(timeoutMs?: number): Promise<void>;
  stop(): void;
  failures(): Array<{ job: string; payload: unknown; error: string }>;
}

export interface LocalSchedulerOptions {
  jobs: Record<string, JobHandler>;
  now?: () => number;
  retries?: number;
  retryBaseMs?: number;
  journal?: ScheduleJournal;
  /** What the journal held when this process started: pending schedules fire at their time, or now if it passed. */
  restored?: { pending: StoredSchedule[]; failed: Array<StoredSchedule & { error: string }> };
}

export function createLocalScheduler(options: LocalSchedulerOptions): LocalScheduler {
  const now = options.now ?? Date.now;
  const journal = options.journal;
  const timers = new Set<NodeJS.Timeout>();
  const failed = (options.restored?.failed ?? []).map(({ job, payload, error }) => ({ job, payload, error }));
  let running = 0;
  let stopped = false;

  const run = async (entry: StoredSchedule) => {
    const { job, payload } = entry;
    const handler = options.jobs[job];
    running++;
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          if (!handler) throw new Error(`No local handler for job "${job}".`);
          await handler({ job, payload });
        } catch (error) {
          if (stopped) return; // stopping: the schedule stays stored and fires again at the next start
          if (attempt >= (options.retries ?? 3)) {
            failed.push({ job, payload, error: (error as Error).message });
            logger.error('scheduled job failed', { job, error: (error as Error).message });
            await journal?.deadLetter(entry, (error as Error).message).catch(() => undefined);
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, (options.retryBaseMs ?? 200) * 2 ** attempt));
          continue;
        }
        // Ran: forget the schedule. If that fails, it runs again at the next start (at least once; jobs are idempotent).
        await journal?.remove(entry.id).catch((error: Error) => logger.error('could not forget a schedule that ran', { job, error: error.message }));
        return;
      }
    } finally {
      running--;
    }
  };

  const arm = (entry: StoredSchedule) => {
    const delay = Math.max(0, entry.at - now());
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (entry.at > now()) arm(entry); // beyond one timer's reach (about 24 days): wait again
      else void run(entry);
    }, Math.min(delay, 2 ** 31 - 1));
    timers.add(timer);
  };
  for (const entry of options.restored?.pending ?? []) arm(entry);

  return {
    async schedule(job, at, payload) {
      const entry: StoredSchedule = { id: randomUUID(), job, at: at.getTime(), payload };
      await journal?.save(entry);
      arm(entry);
    },
    async idle(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (timers.size > 0 || running > 0) {
        if (Date.now() > deadline) throw new Error(`Scheduled jobs still pending after ${timeoutMs} ms.`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
    failures: () => [...failed],
  };
}
