import { describe, expect, it, inject } from 'vitest';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { freshTable } from '../support/dynamo.js';

describe('local engines', () => {
  it('DynamoDB Local stores and reads back a row in a table built from the shared key schema', async () => {
    const { doc, tableName } = await freshTable();
    await doc.send(new PutCommand({ TableName: tableName, Item: { pk: 'A', sk: 'B', value: 42 } }));
    const { Item } = await doc.send(new GetCommand({ TableName: tableName, Key: { pk: 'A', sk: 'B' } }));
    expect(Item?.value).toBe(42);
  });

  it('SES local accepts an SESv2 send and keeps its custom headers in the store', async () => {
    const endpoint = inject('sesEndpoint');
    const ses = new SESv2Client({ region: 'us-east-1', endpoint, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    await ses.send(
      new SendEmailCommand({
        FromEmailAddress: 'news@example.org',
        Destination: { ToAddresses: ['engines-test@example.org'] },
        Content: {
          Simple: {
            Subject: { Data: 'hello' },
            Body: { Text: { Data: 'plain' }, Html: { Data: '<p>html</p>' } },
            Headers: [{ Name: 'List-Unsubscribe', Value: '<https://example.org/u>' }],
          },
        },
      }),
    );
    const store = (await (await fetch(`${endpoint}/store`)).json()) as { emails: Array<Record<string, unknown>> };
    const mail = store.emails.find((e) => JSON.stringify(e.destination).includes('engines-test@example.org'));
    expect(mail).toBeDefined();
    expect(JSON.stringify(mail)).toContain('List-Unsubscribe');
  });
});
