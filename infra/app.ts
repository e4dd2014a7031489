// The CDK app: `npx cdk synth` (offline, no account needed), `npx cdk deploy --all` (docs/deploy.md).
// Stage settings come from CDK context (cdk.json, `-c key=value`) through infra/config.ts.
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadStageConfig, StageConfigError } from './config.js';
import { MissingHandlerError } from './constructs/news-function.js';
import { buildStacks } from './stacks/index.js';

const app = new App();
try {
  buildStacks(app, loadStageConfig(app.node));
} catch (error) {
  // A bad context value or a missing handler: one line that says what to do, no stack trace.
  if (error instanceof StageConfigError || error instanceof MissingHandlerError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
// cdk-nag (AwsSolutions) as a policy validation plugin: an unacknowledged finding interrupts synthesis.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
app.synth();
