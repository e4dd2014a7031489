// Structured JSON logs (Powertools Logger) and metrics (Powertools Metrics). Never log tokens or full email
// addresses: use maskEmail() for the latter.
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

export const logger = new Logger({ serviceName: 'news', logLevel: (process.env.LOG_LEVEL as 'INFO' | undefined) ?? 'INFO' });
export const metrics = new Metrics({ namespace: 'News', serviceName: 'news' });

/** `maria@example.org` → `m***@example.org`. */
export const maskEmail = (email: string) => email.replace(/^(.).*(@.*)$/, '$1***$2');
