// Feeds an SES event to the SES feedback handler locally, wrapped as SNS delivers it.
//   npx tsx scripts/ses-event.ts FILE.json            (a file holding an SNS event, or a bare SES event)
//   npx tsx scripts/ses-event.ts --bounce ana@example.org [--soft]
//   npx tsx scripts/ses-event.ts --complaint ana@example.org
// Uses TABLE_NAME and DYNAMO_ENDPOINT like every other local command (the running `npm start` prints them).
import { readFile } from 'node:fs/promises';
import { makeHandler } from '../lambdas/handlers/ses-feedback.js';
import { loadConfigOver } from '../lambdas/config.js';
import { composeApp, noBackground } from '../lambdas/composition-root.js';
import { createDocumentClient } from '../lambdas/adapters/dynamo/client.js';
import { createSesClient } from '../lambdas/adapters/ses/mailer.js';

/** Wraps SES events the way SNS delivers them to Lambda. */
export function snsEnvelope(sesEvents: unknown[]) {
  return {
    Records: sesEvents.map((e, i) => ({
      EventSource: 'aws:sns',
      EventVersion: '1.0',
      EventSubscriptionArn: 'arn:aws:sns:us-east-1:000000000000:ses-events:local',
      Sns: {
        Type: 'Notification',
        MessageId: `local-${Date.now()}-${i}`,
        TopicArn: 'arn:aws:sns:us-east-1:000000000000:ses-events',
        Subject: null,
        Message: JSON.stringify(e),
        Timestamp: new Date().toISOString(),
        MessageAttributes: {},
      },
    })),
  };
}

/** A minimal SES event (configuration-set event publishing format). */
export function sesEvent(kind: 'bounce' | 'softBounce' | 'complaint' | 'delivery', email: string, tags: Record<string, string> = {}) {
  const timestamp = new Date().toISOString();
  const mail = {
    timestamp,
    messageId: `local-${Math.random().toString(36).slice(2)}`,
    source: 'news@pacific-alliance.example',
    destination: [email],
    tags: Object.fromEntries(Object.entries(tags).map(([k, v]) => [k, [v]])),
  };
  switch (kind) {
    case 'bounce':
    case 'softBounce':
      return {
        eventType: 'Bounce',
        mail,
        bounce: {
          bounceType: kind === 'bounce' ? 'Permanent' : 'Transient',
          bounceSubType: kind === 'bounce' ? 'General' : 'MailboxFull',
          bouncedRecipients: [{ emailAddress: email, action: 'failed', status: kind === 'bounce' ? '5.1.1' : '4.2.2' }],
          timestamp,
        },
      };
    case 'complaint':
      return { eventType: 'Complaint', mail, complaint: { complainedRecipients: [{ emailAddress: email }], complaintFeedbackType: 'abuse', timestamp } };
    case 'delivery':
      return { eventType: 'Delivery', mail, delivery: { recipients: [email], timestamp, smtpResponse: '250 OK' } };
  }
}

async function main(args: string[]) {
  let event: unknown;
  const flag = args[0];
  if (flag === '--bounce' || flag === '--complaint') {
    const email = args[1];
    if (!email) throw new Error(`Usage: ses-event.ts ${flag} ADDRESS${flag === '--bounce' ? ' [--soft]' : ''}`);
    event = snsEnvelope([sesEvent(flag === '--complaint' ? 'complaint' : args.includes('--soft') ? 'softBounce' : 'bounce', email)]);
  } else if (flag) {
    const parsed = JSON.parse(await readFile(flag, 'utf8')) as { Records?: unknown };
    event = Array.isArray(parsed.Records) ? parsed : snsEnvelope([parsed]);
  } else {
    throw new Error('Usage: ses-event.ts FILE.json | --bounce ADDRESS [--soft] | --complaint ADDRESS');
  }
  const config = loadConfigOver({ DYNAMO_ENDPOINT: 'http://127.0.0.1:8000' });
  const app = composeApp({
    config,
    doc: createDocumentClient({ region: config.AWS_REGION, endpoint: config.DYNAMO_ENDPOINT }),
    ses: createSesClient({ region: config.AWS_REGION, endpoint: config.SES_ENDPOINT }),
    background: noBackground,
  });
  const handler = makeHandler(app.sesFeedback);
  const result = await handler(event);
  console.log(JSON.stringify({ records: result.records, skipped: result.skipped, outcomes: result.outcomes.map((o) => ({ type: o.type, action: o.action })) }));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error((error as Error).message);
    process.exit(1);
  });
}
