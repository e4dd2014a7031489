// A token bucket: `rate` tokens per second, bursts up to `burst`. `take()` waits until a token is available. The clock
// and sleep are injected so the core stays deterministic in tests.
export interface TokenBucket {
  take(): Promise<void>;
}

export function createTokenBucket(options: { rate: number; burst?: number; now: () => number; sleep: (ms: number) => Promise<void> }): TokenBucket {
  const capacity = Math.max(1, options.burst ?? Math.ceil(options.rate));
  let tokens = capacity;
  let last = options.now();
  let queue = Promise.resolve();
  const refill = () => {
    const now = options.now();
    tokens = Math.min(capacity, tokens + ((now - last) / 1000) * options.rate);
    last = now;
  };
  return {
    take() {
      // Serialise takers so waiting ones are served in order.
      const turn = queue.then(async () => {
        refill();
        while (tokens < 1) {
          await options.sleep(Math.ceil(((1 - tokens) / options.rate) * 1000));
          refill();
        }
        tokens -= 1;
      });
      queue = turn.catch(() => undefined);
      return turn;
    },
  };
}

/** A sender's burst, in seconds of its rate. Cold senders starting together each spend their burst at once: with a
 *  whole second's share the fleet sent about twice MaxSendRate in its first second, with a tenth about 5 % over
 *  (docs/scale.md). It is also how long a send may hold its token before calling SES (sender.ts). */
export const senderBurstSeconds = 0.1;

/** The token bucket of one sender instance, at its share of the account's rate. */
export const createSenderBucket = (options: { rate: number; now: () => number; sleep: (ms: number) => Promise<void> }) =>
  createTokenBucket({ ...options, burst: Math.ceil(options.rate * senderBurstSeconds) });
