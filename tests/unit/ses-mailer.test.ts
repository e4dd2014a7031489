// How the SES mailer reads a failed SendEmail: by what SES could have seen. Shapes are those the SDK's node request
// handler and SES v2 throw (node socket errors pass through with `code`/`syscall`; SES answers carry `$metadata`).
import { describe, expect, it } from 'vitest';
import { sesSendFailure } from '../../lambdas/adapters/ses/mailer.js';

const nodeError = (code: string, syscall?: string, message = `${syscall ?? 'x'} ${code}`) => Object.assign(new Error(message), { code, ...(syscall ? { syscall } : {}), $metadata: { attempts: 1 } });
const answer = (name: string, status: number, message = name) => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });

const cases: Array<[string, unknown, string]> = [
  ['connection refused', nodeError('ECONNREFUSED', 'connect'), 'notSent'],
  ['DNS: no such host', nodeError('ENOTFOUND', 'getaddrinfo'), 'notSent'],
  ['DNS: try again', nodeError('EAI_AGAIN', 'getaddrinfo'), 'notSent'],
  ['host unreachable', nodeError('EHOSTUNREACH', 'connect'), 'notSent'],
  ['connect timed out (node)', nodeError('ETIMEDOUT', 'connect'), 'notSent'],
  ['TLS: bad certificate', nodeError('CERT_HAS_EXPIRED'), 'notSent'],
  ['TLS: wrong host name', nodeError('ERR_TLS_CERT_ALTNAME_INVALID'), 'notSent'],
  ['refused, wrapped as cause', Object.assign(new Error('fetch failed'), { cause: nodeError('ECONNREFUSED', 'connect') }), 'notSent'],
  ['SDK connectionTimeout', Object.assign(new Error('Socket timed out without establishing a connection within 1000 ms'), { name: 'TimeoutError' }), 'notSent'],
  ['SDK requestTimeout (request written)', Object.assign(new Error('Connection timed out after 5000 ms'), { name: 'TimeoutError' }), 'inDoubt'],
  ['reset while reading the answer', nodeError('ECONNRESET', 'read'), 'inDoubt'],
  ['socket hang up', nodeError('ECONNRESET', undefined, 'socket hang up'), 'inDoubt'],
  ['5xx', answer('InternalFailure', 500), 'inDoubt'],
  ['503 from SES', answer('ServiceUnavailable', 503), 'inDoubt'],
  ['unknown error', new Error('boom'), 'inDoubt'],
  ['throttled (429)', answer('TooManyRequestsException', 429, 'Maximum sending rate exceeded.'), 'throttled'],
  ['throttled (name only)', Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'Throttling' }), 'throttled'],
  ['message rejected', answer('MessageRejected', 400), 'rejectedForGood'],
  ['sending paused (4xx)', answer('SendingPausedException', 400), 'notAccepted'],
];

describe('sesSendFailure', () => {
  it.each(cases)('%s → %s', (_what, error, kind) => {
    expect(sesSendFailure(error).kind).toBe(kind);
  });

  it('keeps the node code as the reason, so a log says what failed', () => {
    expect(sesSendFailure(nodeError('ECONNREFUSED', 'connect')).reason).toBe('ECONNREFUSED');
  });
});
