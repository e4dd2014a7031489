// Lambda: API Gateway HTTP API → the one Hono app (API, feeds, pages). Only this file knows about Lambda.
import { handle } from 'hono/aws-lambda';
import { createHttpApp, type HttpApp } from '../adapters/http/app.js';
import { composeAwsApp } from '../adapters/aws-runtime.js';
import { createMjmlRenderer } from '../adapters/mjml/renderer.js';

export const makeHandler = (app: HttpApp) => handle(app);

// Cold start: config and secrets once, clients once, the App once.
export const handler = makeHandler(createHttpApp(await composeAwsApp({ renderer: createMjmlRenderer() })));
