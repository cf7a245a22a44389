// Whether the identity may connect: IAM SimulatePrincipalPolicy for the exact action and resource ARN.
import type { EvaluationResult } from '@aws-sdk/client-iam';
import type { AwsLookups } from './aws.js';
import { finding, type Decision, type Finding } from './findings.js';

export interface PermissionQuestion {
  /** The IAM user or role whose policies are simulated. */
  principalArn: string;
  action: string;
  resource: string;
  /** Where the IAM client is made; IAM itself is global. */
  region: string;
}

/** Simulates `action` on `resource` for the principal: allowed, implicit deny or explicit deny, and why. */
export async function simulatePermission(aws: AwsLookups, q: PermissionQuestion): Promise<Finding[]> {
  const got = await aws.call({
    service: 'iam',
    region: q.region,
    permission: 'iam:SimulatePrincipalPolicy',
    unchecked: ['permission-denied'],
    run: async (sdk, client, abortSignal) =>
      (
        await client.send(
          new sdk.SimulatePrincipalPolicyCommand({
            PolicySourceArn: q.principalArn,
            ActionNames: [q.action],
            ResourceArns: [q.resource],
          }),
          { abortSignal },
        )
      ).EvaluationResults ?? [],
  });
  if (!got.ok) return [got.finding];
  const result = got.value[0];
  if (result === undefined) {
    return [finding('lookup-failed', 'warning', 'iam:SimulatePrincipalPolicy answered with no evaluation result.')];
  }
  return [judge(result, q)];
}

function judge(result: EvaluationResult, q: PermissionQuestion): Finding {
  const decision = result.EvalDecision as Decision;
  const matchedStatements = (result.MatchedStatements ?? []).map(
    (s) =>
      `${s.SourcePolicyId ?? 'a policy'} (${s.SourcePolicyType ?? 'unknown type'}${s.StartPosition?.Line === undefined ? '' : `, line ${s.StartPosition.Line}`})`,
  );
  const facts = { resource: q.resource, decision, matchedStatements };
  const what = `${q.action} on ${q.resource} for ${q.principalArn}`;
  if (decision === 'allowed') {
    return finding('permission-allowed', 'info', `IAM allows ${what}${via(matchedStatements)}.`, facts);
  }
  const outside = [
    result.PermissionsBoundaryDecisionDetail?.AllowedByPermissionsBoundary === false
      ? 'its permissions boundary does not allow it'
      : undefined,
    result.OrganizationsDecisionDetail?.AllowedByOrganizations === false
      ? 'a service control policy (SCP) of the organization does not allow it'
      : undefined,
  ].filter((x) => x !== undefined);
  const because = outside.length > 0 ? `: ${outside.join('; ')}` : '';
  if (decision === 'explicitDeny') {
    return finding('permission-denied', 'error', `IAM explicitly denies ${what}${via(matchedStatements)}${because}.`, {
      ...facts,
      fix: `Remove or narrow the Deny statement${matchedStatements.length > 0 ? ` in ${matchedStatements.join(', ')}` : ''}; a Deny wins over every Allow.`,
    });
  }
  return finding(
    'permission-denied',
    'error',
    `IAM does not allow ${what}: no policy statement allows it (implicit deny)${because}.`,
    {
      ...facts,
      fix: `Attach a policy allowing ${q.action} on ${q.resource} to ${q.principalArn}; \`rdsiam policy\` prints it.`,
    },
  );
}

function via(statements: readonly string[]): string {
  return statements.length === 0 ? '' : `, by ${statements.join(', ')}`;
}
