// The mailer: SESv2 SendEmail with Simple content and per-message Headers. This is the current SES API, it carries
// per-recipient List-Unsubscribe headers (which v1 SendBulkTemplatedEmail cannot), and aws-ses-v2-local keeps those
// headers in its store so tests can read them back.
import { SendEmailCommand, SESv2Client, TooManyRequestsException, LimitExceededException } from '@aws-sdk/client-sesv2';
import type { Mailer, OutgoingEmail } from '../../core/shared/ports.js';

export class MailerThrottledError extends Error {
  override name = 'MailerThrottledError';
}

export function createSesClient(settings: { region: string; endpoint?: string }): SESv2Client {
  return new SESv2Client({
    region: settings.region,
    ...(settings.endpoint ? { endpoint: settings.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  });
}

// SES tag values allow only [A-Za-z0-9_\-.@]; anything else is replaced so a send never fails on a tag.
const tagValue = (value: string) => value.replace(/[^A-Za-z0-9_\-.@]/g, '_').slice(0, 256);

export function createSesMailer(ses: SESv2Client): Mailer {
  return {
    async send(email: OutgoingEmail) {
      try {
        const out = await ses.send(
          new SendEmailCommand({
            FromEmailAddress: email.from,
            Destination: { ToAddresses: [email.to] },
            ConfigurationSetName: email.configurationSet,
            EmailTags: Object.entries(email.tags ?? {}).map(([Name, Value]) => ({ Name, Value: tagValue(Value) })),
            Content: {
              Simple: {
                Subject: { Data: email.subject, Charset: 'UTF-8' },
                Body: { Html: { Data: email.html, Charset: 'UTF-8' }, Text: { Data: email.text, Charset: 'UTF-8' } },
                Headers: email.headers?.map((h) => ({ Name: h.name, Value: h.value })),
              },
            },
          }),
        );
        return { messageId: out.MessageId ?? '' };
      } catch (error) {
        const name = (error as Error).name;
        if (error instanceof TooManyRequestsException || error instanceof LimitExceededException || name === 'Throttling' || /Maximum sending rate exceeded/i.test((error as Error).message)) {
          throw new MailerThrottledError('SES is throttling sends; retry with backoff.', { cause: error });
        }
        throw error;
      }
    },
  };
}
