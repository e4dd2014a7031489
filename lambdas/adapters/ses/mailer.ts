// The mailer: SESv2 SendEmail with Simple content and per-message Headers. This is the current SES API, it carries
// per-recipient List-Unsubscribe headers (which v1 SendBulkTemplatedEmail cannot), and aws-ses-v2-local keeps those
// headers in its store so tests can read them back.
import { SendEmailCommand, SESv2Client, TooManyRequestsException, LimitExceededException } from '@aws-sdk/client-sesv2';
import { MailerError, type Mailer, type OutgoingEmail } from '../../core/shared/ports.js';

/** Refusals about this message or address: retrying will not help. Other 4xx (account paused, quota) may pass. */
const permanentRefusals = new Set(['MessageRejected', 'BadRequestException', 'MailFromDomainNotVerifiedException', 'InvalidParameterValue']);

/** What a failed SendEmail means for the sender, from the SDK error: the one place that reads SES error names and
 *  `$metadata`. A 4xx answer means SES did not accept the message; anything else may have been accepted. */
export function sesSendFailure(error: unknown): MailerError {
  if (error instanceof MailerError) return error;
  const { name, message } = error instanceof Error ? error : { name: 'Error', message: String(error) };
  if (error instanceof TooManyRequestsException || error instanceof LimitExceededException || name === 'Throttling' || /Maximum sending rate exceeded/i.test(message)) {
    return new MailerError('throttled', 'SES is throttling sends; retry with backoff.', name, { cause: error });
  }
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    if (permanentRefusals.has(name)) return new MailerError('rejectedForGood', `SES refused the message: ${message}`, name, { cause: error });
    return new MailerError('notAccepted', `SES did not accept the message for now: ${message}`, name, { cause: error });
  }
  return new MailerError('inDoubt', `SES may or may not have accepted the message: ${message}`, name, { cause: error });
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
        throw sesSendFailure(error);
      }
    },
  };
}
