// Stateful resources, in their own stack so the stateless app can be torn down and redeployed freely: the single
// table (built from lambdas/adapters/dynamo/table.ts, the same definition the local runtime uses), the SES identity,
// configuration set and feedback topic, the editors' Cognito user pool, and what a send holds in flight (its queue
// and the schedules of editions sent later).
import { RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { tableKeys, timeToLiveAttribute } from '../../lambdas/adapters/dynamo/table.js';
import type { StageConfig } from '../config.js';
import { EditorAuth } from '../constructs/editor-auth.js';
import { EmailIdentity } from '../constructs/email-identity.js';
import { SendState } from '../constructs/send-state.js';

/** The listing index projecting ALL attributes, replaced by gsi1v2 (table.ts). */
export const retiringIndex = 'gsi1';

export interface DataStackProps extends StackProps {
  readonly config: StageConfig;
}

export class DataStack extends Stack {
  readonly table: dynamodb.Table;
  readonly email: EmailIdentity;
  readonly editorAuth: EditorAuth;
  readonly sendState: SendState;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.table = new dynamodb.Table(this, 'Table', {
      tableName: config.prefix,
      partitionKey: { name: tableKeys.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: tableKeys.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of tableKeys.indexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: { name: index.sortKey, type: dynamodb.AttributeType.STRING },
        projectionType: dynamodb.ProjectionType.INCLUDE,
        nonKeyAttributes: [...index.projectedAttributes],
      });
    }
    // The index gsi1v2 replaces, kept one more release: CloudFormation adds or deletes at most one index per update
    // and queries fail until a new index has backfilled. No code reads it; delete it in the release after gsi1v2 is
    // ACTIVE in every stage (docs/deploy.md, "Replacing gsi1").
    this.table.addGlobalSecondaryIndex({
      indexName: retiringIndex,
      partitionKey: { name: tableKeys.indexes[0].partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: tableKeys.indexes[0].sortKey, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });

    this.email = new EmailIdentity(this, 'Email', { config });
    this.editorAuth = new EditorAuth(this, 'EditorAuth', { config });
    this.sendState = new SendState(this, 'SendState', { config });
  }
}
