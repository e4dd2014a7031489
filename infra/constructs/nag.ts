// cdk-nag v3 acknowledgements go through CDK's Validations API; every one carries its reason. Findings of the IAM5
// rule are acknowledged one by one (e.g. `AwsSolutions-IAM5[Resource::*]`), never for the whole rule.
import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

export interface Acknowledgement {
  readonly id: `AwsSolutions-${string}`;
  readonly reason: string;
}

export function acknowledge(scope: IConstruct, ...rules: Acknowledgement[]): void {
  Validations.of(scope).acknowledge(...rules);
}
