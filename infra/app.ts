// The CDK app: `npx cdk synth` (offline, no account needed), `npx cdk deploy --all` (docs/deploy.md).
// Stage settings come from CDK context (cdk.json, `-c key=value`) through infra/config.ts.
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadStageConfig } from './config.js';
import { buildStacks } from './stacks/index.js';

const app = new App();
const config = loadStageConfig(app.node);
buildStacks(app, config);
// cdk-nag (AwsSolutions) as a policy validation plugin: an unacknowledged finding interrupts synthesis.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
app.synth();
