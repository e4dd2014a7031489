// How the sender is sized from SES's rate: each of at most `sendConcurrency` senders takes an equal share of the
// account's MaxSendRate (SQS maxConcurrency caps how many run), and a batch of chunks must take at most half the
// sender's timeout at that share, so a batch never times out half-sent. Checked when the app is synthesised.

/** The sender Lambda's timeout; the queue's visibility timeout is six times this (AWS's guidance). */
export const senderTimeoutSeconds = 120;
/** Recipients per chunk (one SQS message); the planner gets it as SEND_CHUNK_SIZE. */
export const sendChunkSize = 50;
/** SQS's maximum batch for a Lambda event source without a batching window. */
const maxBatchSize = 10;

export interface SenderSizing {
  /** Messages per second for each sender instance. */
  perSenderRate: number;
  /** Chunks per Lambda batch. */
  batchSize: number;
  /** Seconds a full batch takes at the per-sender rate. */
  batchSeconds: number;
}

/** The sizing, or a sentence saying which setting to change when even one chunk cannot fit. */
export function senderSizing(c: { sesMaxSendRate: number; sendConcurrency: number }): SenderSizing | { problem: string } {
  const perSenderRate = Math.floor((c.sesMaxSendRate / c.sendConcurrency) * 1000) / 1000;
  const budget = senderTimeoutSeconds / 2;
  const batchSize = Math.min(maxBatchSize, Math.floor((perSenderRate * budget) / sendChunkSize));
  if (batchSize < 1) {
    const most = Math.max(1, Math.floor((c.sesMaxSendRate * budget) / sendChunkSize));
    return {
      problem:
        `with ${c.sendConcurrency} senders each gets ${perSenderRate} messages/s of sesMaxSendRate ${c.sesMaxSendRate}, so one chunk of ` +
        `${sendChunkSize} takes ${Math.ceil(sendChunkSize / perSenderRate)} s, more than half the sender's ${senderTimeoutSeconds} s timeout; ` +
        `set sendConcurrency to at most ${most}, or raise sesMaxSendRate`,
    };
  }
  return { perSenderRate, batchSize, batchSeconds: Math.ceil((batchSize * sendChunkSize) / perSenderRate) };
}
