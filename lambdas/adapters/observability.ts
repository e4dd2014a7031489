// Structured JSON logs (Powertools Logger) and metrics (Powertools Metrics). Never log tokens or full email
// addresses: use maskEmail() (core/shared/text.ts) for the latter.
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

export const logger = new Logger({ serviceName: 'news', logLevel: (process.env.LOG_LEVEL as 'INFO' | undefined) ?? 'INFO' });
export const metrics = new Metrics({ namespace: 'News', serviceName: 'news' });

/** Adds counts (e.g. items new/updated, emails sent) to a batch of metrics; zero counts are left out. */
export function recordCounts(sink: Metrics, counts: Record<string, number>): void {
  for (const [name, value] of Object.entries(counts)) if (value > 0) sink.addMetric(name, MetricUnit.Count, value);
}

/** Emits one invocation's counts as CloudWatch metrics (Embedded Metric Format on stdout). Only inside Lambda:
 *  locally the same counts are in the logs. */
export function publishCounts(counts: Record<string, number>): void {
  if (!process.env.AWS_LAMBDA_FUNCTION_NAME) return;
  recordCounts(metrics, counts);
  metrics.publishStoredMetrics();
}
