// The least-privilege IAM policy for one connection, as an IAM policy document, Terraform or AWS CDK.
import type { Partition } from '../endpoint/rds-host.js';
import type { TargetPlan } from '../endpoint/target.js';
import { DESCRIBE_PERMISSION } from '../endpoint/describe-global-clusters.js';
import { firstLabel, globalClusterArn, PLACEHOLDER } from './arn.js';
import type { ConnectPermission } from './resource.js';

export interface PolicyStatement {
  Effect: 'Allow';
  Action: string;
  Resource: string;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

export const POLICY_FORMATS = ['json', 'terraform', 'cdk'] as const;
export type PolicyFormat = (typeof POLICY_FORMATS)[number];

/** The login's permission, plus DescribeGlobalClusters where a global endpoint's writer region is looked up. */
export function policyDocument(
  plan: TargetPlan,
  connect: ConnectPermission,
  account: string | undefined,
): PolicyDocument {
  const statements: PolicyStatement[] = [{ Effect: 'Allow', Action: connect.action, Resource: connect.resource }];
  if (plan.kind === 'global') {
    const partition: Partition = plan.base.endpoint.partition ?? 'aws';
    statements.push({
      Effect: 'Allow',
      Action: DESCRIBE_PERMISSION,
      Resource: globalClusterArn({
        partition,
        account: account ?? PLACEHOLDER.account,
        name: firstLabel(plan.lookup.endpoint),
      }),
    });
  }
  return { Version: '2012-10-17', Statement: statements };
}

export function formatPolicy(doc: PolicyDocument, format: PolicyFormat): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(doc, null, 2)}\n`;
    case 'terraform':
      return (
        'data "aws_iam_policy_document" "rdsiam" {\n' +
        doc.Statement.map(
          (s) =>
            '  statement {\n' +
            `    effect    = "Allow"\n` +
            `    actions   = [${JSON.stringify(s.Action)}]\n` +
            `    resources = [${JSON.stringify(s.Resource)}]\n` +
            '  }\n',
        ).join('') +
        '}\n'
      );
    case 'cdk':
      // Statements for `import * as iam from 'aws-cdk-lib/aws-iam'`, e.g. role.addToPolicy(...).
      return doc.Statement.map(
        (s) =>
          'new iam.PolicyStatement({\n' +
          '  effect: iam.Effect.ALLOW,\n' +
          `  actions: [${quote(s.Action)}],\n` +
          `  resources: [${quote(s.Resource)}],\n` +
          '});\n',
      ).join('');
  }
}

function quote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
