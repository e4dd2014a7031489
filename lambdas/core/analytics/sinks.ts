// Where clicks go to be counted. In a long-lived process (npm start) a buffer counted a moment after the answer; in
// AWS an asynchronous invoke (Lambda queues it and retries), because a Lambda is frozen as soon as it has answered.
import type { ClickEvent, ClickSink } from './ports.js';

/** Buffers clicks and counts them `delayMs` after the first of a batch, off the request's path. */
export function bufferedSink(count: (events: ClickEvent[]) => Promise<void>, onError: (error: Error) => void, delayMs = 200): ClickSink & { flush(): Promise<void> } {
  let buffer: ClickEvent[] = [];
  let timer: NodeJS.Timeout | undefined;
  let counting: Promise<void> = Promise.resolve();
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    const batch = buffer;
    buffer = [];
    counting = counting.then(() => (batch.length ? count(batch) : undefined)).catch((error: Error) => onError(error));
    return counting;
  };
  return {
    async submit(event) {
      buffer.push(event);
      timer ??= setTimeout(() => void flush(), delayMs);
      timer.unref?.();
    },
    flush,
  };
}

/** Hands each click to background work (an async invoke in AWS) that counts it. */
export const scheduledSink = (hand: (clicks: ClickEvent[]) => Promise<void>): ClickSink => ({ submit: (event) => hand([event]) });
