// Structured JSON logs (Powertools Logger) and metrics (Powertools Metrics), one of each per process. Their settings
// come from the configuration, applied by the composition root. Never log tokens or full email addresses: use
// maskEmail() (core/shared/text.ts) for the latter.
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Config } from '../config.js';

export const logger = new Logger({ serviceName: 'news' });
export const metrics = new Metrics({ namespace: 'News', serviceName: 'news' });

let publishMetrics = false;

/** Applies the configuration: the log level, and whether metrics are published (only inside Lambda: locally the
 *  same counts are in the logs). */
export function configureObservability(config: Pick<Config, 'LOG_LEVEL' | 'AWS_LAMBDA_FUNCTION_NAME'>): void {
  logger.setLogLevel(config.LOG_LEVEL);
  publishMetrics = Boolean(config.AWS_LAMBDA_FUNCTION_NAME);
}

/** Adds counts (e.g. items new/updated, emails sent) to a batch of metrics; zero counts are left out. */
export function recordCounts(sink: Metrics, counts: Record<string, number>): void {
  for (const [name, value] of Object.entries(counts)) if (value > 0) sink.addMetric(name, MetricUnit.Count, value);
}

/** Emits one invocation's counts as CloudWatch metrics (Embedded Metric Format on stdout), inside Lambda only. */
export function publishCounts(counts: Record<string, number>): void {
  if (!publishMetrics) return;
  recordCounts(metrics, counts);
  metrics.publishStoredMetrics();
}
