// Builds the service's stacks into an app: one stateful DataStack, one stateless AppStack, per stage.
import { type App, Tags } from 'aws-cdk-lib';
import type { StageConfig } from '../config.js';
import { assertHandlerEntriesExist } from '../constructs/news-function.js';
import { AppStack } from './app-stack.js';
import { DataStack } from './data-stack.js';

export function buildStacks(app: App, config: StageConfig): { data: DataStack; app: AppStack } {
  // Check every entry before bundling any, so one message lists all that are missing.
  if (!config.skipBundling) assertHandlerEntriesExist();
  const env = config.account || config.region ? { account: config.account, region: config.region } : undefined;
  const data = new DataStack(app, `PacificNews-${config.stage}-Data`, {
    env,
    config,
    description: `Pacific news (${config.stage}): table, SES identity, send queue and edition schedules (stateful)`,
    terminationProtection: config.stage === 'prod',
  });
  const appStack = new AppStack(app, `PacificNews-${config.stage}-App`, {
    env,
    config,
    table: data.table,
    email: data.email,
    editorAuth: data.editorAuth,
    sendState: data.sendState,
    description: `Pacific news (${config.stage}): Lambdas, HTTP API, CDN, recurring schedules, alarms (stateless)`,
    terminationProtection: config.stage === 'prod',
  });
  Tags.of(app).add('project', 'pacific-news');
  Tags.of(app).add('stage', config.stage);
  return { data, app: appStack };
}
