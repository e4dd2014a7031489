// Lambda: API Gateway HTTP API → the one Hono app (API, feeds, pages). Only this file knows about Lambda.
import { handle } from 'hono/aws-lambda';
import { createApp } from '../adapters/http/app.js';
import { awsContext, loadAwsConfig } from '../adapters/aws-runtime.js';

export const makeHandler = (app: ReturnType<typeof createApp>) => handle(app);

// Cold start: config and secrets once, clients once.
export const handler = makeHandler(createApp(awsContext(await loadAwsConfig())));
