// The mailer: SESv2 SendEmail with Simple content and per-message Headers. This is the current SES API, it carries
// per-recipient List-Unsubscribe headers (which v1 SendBulkTemplatedEmail cannot), and aws-ses-v2-local keeps those
// headers in its store so tests can read them back.
import { SendEmailCommand, SESv2Client, TooManyRequestsException, LimitExceededException } from '@aws-sdk/client-sesv2';
import { MailerError, type Mailer, type OutgoingEmail } from '../../core/shared/ports.js';

/** Refusals about this message or address: retrying will not help. Other 4xx (account paused, quota) may pass. */
const permanentRefusals = new Set(['MessageRejected', 'BadRequestException', 'MailFromDomainNotVerifiedException', 'InvalidParameterValue']);

/** Node's codes for a connection that never carried a request: nothing can have reached SES. */
const neverConnected = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);
/** Node's syscalls that fail before a request is written (opening the socket, resolving the name). */
const beforeRequest = new Set(['connect', 'getaddrinfo', 'getaddrinfo_error']);
/** TLS handshake failures: the handshake precedes the request, so SES never saw it. */
const tlsFailure = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_(GET|VERIFY)_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|HOSTNAME_MISMATCH)/;

/** The node error under the SDK's (the request handler passes node's socket errors through, sometimes as `cause`). */
function socketError(error: unknown): { code?: string; syscall?: string; name?: string; message?: string } | undefined {
  for (let e = error as { code?: unknown; syscall?: unknown; cause?: unknown } | undefined, depth = 0; e && typeof e === 'object' && depth < 4; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string' || typeof e.syscall === 'string') return e as { code?: string; syscall?: string };
  }
  return undefined;
}

/** True when the failure happened before any byte of the request could reach SES. */
function neverReachedSes(error: unknown, name: string, message: string): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  if (typeof status === 'number') return false; // SES answered
  // The SDK's node handler: `connectionTimeout` elapsed before the socket connected (the request was never written).
  if (name === 'TimeoutError' && /without establishing a connection/i.test(message)) return true;
  const socket = socketError(error);
  if (!socket) return false;
  if (socket.code && (neverConnected.has(socket.code) || tlsFailure.test(socket.code))) return true;
  return socket.syscall !== undefined && beforeRequest.has(socket.syscall);
}

/** What a failed SendEmail means for the sender, from the SDK error: the one place that reads SES error names,
 *  `$metadata` and node's socket codes. A 4xx answer means SES did not accept the message; a failure before the
 *  request was written (refused, DNS, TLS, connect timeout) means SES never saw it; anything else (a timeout or a
 *  reset after the request went out, a 5xx) may have been accepted. */
export function sesSendFailure(error: unknown): MailerError {
  if (error instanceof MailerError) return error;
  const { name, message } = error instanceof Error ? error : { name: 'Error', message: String(error) };
  if (neverReachedSes(error, name, message)) {
    const code = socketError(error)?.code ?? name;
    return new MailerError('notSent', `SES could not be reached (${code}): ${message}`, code, { cause: error });
  }
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
    // The sender owns retries: it retries only what SES cannot have accepted (throttled, never reached). The SDK's own
    // retries would also repeat a timeout or a reset connection, where SES may already have accepted: a second email.
    maxAttempts: 1,
    // A call that hangs ends well inside the in-doubt bound, so the claim's outcome is settled from SES's records.
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000 },
    ...(settings.endpoint ? { endpoint: settings.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  });
}

// SES tag values allow only [A-Za-z0-9_\-.@]; anything else is replaced so a send never fails on a tag.
const tagValue = (value: string) => value.replace(/[^A-Za-z0-9_\-.@]/g, '_').slice(0, 256);

/** `safeRetries`: how often to try again when SES cannot have accepted (throttled, never reached), for one-off mails
 *  (confirmations) whose caller does not retry. The newsletter sender retries itself and keeps the default 0. */
export function createSesMailer(ses: SESv2Client, options: { safeRetries?: number } = {}): Mailer {
  const mailer: Mailer = {
    async send(email: OutgoingEmail) {
      for (let tries = 0; ; tries++) {
        try {
          return await sendOnce(email);
        } catch (error) {
          const safe = error instanceof MailerError && (error.kind === 'throttled' || error.kind === 'notSent');
          if (!safe || tries >= (options.safeRetries ?? 0)) throw error;
          await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** tries));
        }
      }
    },
  };
  const sendOnce = async (email: OutgoingEmail) => {
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
  };
  return mailer;
}
