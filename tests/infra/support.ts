// Shared by the infra tests: build the real app (cdk.json context + overrides, bundling skipped) and read its
// templates. Each test file synthesises once, in module scope, and shares the result across its tests.
import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { loadStageConfig } from '../../infra/config.js';
import { buildStacks } from '../../infra/stacks/index.js';

const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> };

export function synth(overrides: Record<string, unknown> = {}) {
  const app = new App({ context: { ...cdkJson.context, skipBundling: true, ...overrides } });
  const config = loadStageConfig(app.node);
  const stacks = buildStacks(app, config);
  return {
    app,
    config,
    stacks,
    data: Template.fromStack(stacks.data),
    app_: Template.fromStack(stacks.app),
  };
}

type Resource = { Type: string; Properties: Record<string, any>; [k: string]: unknown };

export function resources(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.findResources(type)) as [string, Resource][];
}

/** The logical id of the Lambda whose FunctionName ends with `-<handler>`. */
export function functionId(template: Template, handler: string): string {
  const found = resources(template, 'AWS::Lambda::Function').filter(([, r]) => String(r.Properties?.FunctionName).endsWith(`-${handler}`));
  if (found.length !== 1) throw new Error(`expected one function for ${handler}, found ${found.length}`);
  return found[0]![0];
}

export function functionProps(template: Template, handler: string): Record<string, any> {
  return template.toJSON().Resources[functionId(template, handler)].Properties;
}

export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

/** Every statement of every inline policy attached to the role with this logical id. */
export function statementsOfRole(template: Template, roleId: string): Statement[] {
  return resources(template, 'AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties?.Roles as { Ref: string }[]).some((r) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties!.PolicyDocument.Statement as Statement[]);
}

export function statementsOfFunction(template: Template, handler: string): Statement[] {
  const role = functionProps(template, handler).Role as { 'Fn::GetAtt': [string, string] };
  return statementsOfRole(template, role['Fn::GetAtt'][0]);
}

export const actionsOf = (statements: Statement[]) => statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));

export const resourcesOf = (statements: Statement[], action: string) =>
  statements.filter((s) => actionsOf([s]).includes(action)).flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]));

/** Serialised form of a CloudFormation value, to check which resource an intrinsic points at. */
export const show = (value: unknown) => JSON.stringify(value);

/** The single element of a list; fails loudly when there is none or several. */
export function only<T>(list: T[]): T {
  if (list.length !== 1) throw new Error(`expected exactly one, found ${list.length}`);
  return list[0]!;
}
