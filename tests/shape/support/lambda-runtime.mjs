// A one-instance Lambda runtime for a copied bundle: imports index.mjs on the first event (the cold start, with the
// process environment the parent gave it) and answers each event with the handler's result, serialised as JSON the
// way Lambda returns it. Events arrive one at a time over IPC, as an instance takes them.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const exportName = process.env._HANDLER.split('.').pop();
let handler;

process.on('message', async ({ id, event, deadline }) => {
  try {
    handler ??= (await import(pathToFileURL(join(process.env.LAMBDA_TASK_ROOT, 'index.mjs')).href))[exportName];
    const context = {
      awsRequestId: randomUUID(),
      functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
      functionVersion: '$LATEST',
      memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
      getRemainingTimeInMillis: () => deadline - Date.now(),
      callbackWaitsForEmptyEventLoop: true,
    };
    const result = await handler(event, context);
    process.send({ id, ok: true, result: result === undefined ? null : JSON.parse(JSON.stringify(result)) });
  } catch (error) {
    process.send({ id, ok: false, error: { name: error?.name, message: error?.message ?? String(error), stack: error?.stack } });
  }
});
