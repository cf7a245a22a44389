// Who the credentials are: STS GetCallerIdentity, and the IAM principal whose policies decide `rds-db:connect`.
import type { AwsLookups, Lookup } from './aws.js';
import { finding, type Finding } from './findings.js';

export interface Identity {
  account: string;
  /** As STS says it, e.g. `arn:aws:sts::<account>:assumed-role/<role>/<session>`. */
  arn: string;
  /** The IAM user or role that policies attach to, or null when there is none to simulate (root, federated user). */
  principalArn: string | null;
  /** Why the principal's policies cannot be simulated (an SSO permission set, root, a federated user), if so. */
  notSimulated: string | null;
}

const ASSUMED_ROLE = /^arn:(?<partition>[^:]+):sts::(?<account>\d{12}):assumed-role\/(?<role>[^/]+)\/[^/]+$/;
const IAM_USER = /^arn:[^:]+:iam::\d{12}:user\/.+$/;

/** The principal behind an STS caller ARN, and what the simulation cannot see for it. */
export function principalOf(arn: string): Pick<Identity, 'principalArn' | 'notSimulated'> {
  if (IAM_USER.test(arn)) return { principalArn: arn, notSimulated: null };
  const role = ASSUMED_ROLE.exec(arn)?.groups;
  if (role?.role !== undefined) {
    // A role's path is not in the session ARN; roles made by IAM Identity Center sit under /aws-reserved/.
    const principalArn = `arn:${role.partition}:iam::${role.account}:role/${role.role}`;
    if (role.role.startsWith('AWSReservedSSO_')) {
      return {
        principalArn,
        notSimulated:
          'it is an IAM Identity Center (SSO) permission set role: its policies are managed in Identity Center, and its ' +
          'role ARN carries a path this check cannot see. Check the permission set instead',
      };
    }
    return { principalArn, notSimulated: null };
  }
  if (/:root$/.test(arn)) {
    return { principalArn: null, notSimulated: 'it is the account root user, which no identity policy restricts' };
  }
  return {
    principalArn: null,
    notSimulated:
      'it is not an IAM user or an assumed role (a federated user, say), whose policies IAM cannot simulate',
  };
}

/** GetCallerIdentity in `region` (the region STS is called in for a role too). */
export async function lookUpIdentity(
  aws: AwsLookups,
  region: string,
): Promise<{ identity: Identity | null; findings: Finding[] }> {
  const got: Lookup<{ Account?: string | undefined; Arn?: string | undefined }> = await aws.call({
    service: 'sts',
    region,
    permission: 'sts:GetCallerIdentity',
    unchecked: ['permission-denied', 'db-user-not-iam'],
    run: (sdk, client, abortSignal) => client.send(new sdk.GetCallerIdentityCommand({}), { abortSignal }),
  });
  if (!got.ok) return { identity: null, findings: [got.finding] };
  const { Account: account, Arn: arn } = got.value;
  if (account === undefined || arn === undefined) {
    return {
      identity: null,
      findings: [finding('lookup-failed', 'warning', 'sts:GetCallerIdentity answered without an account or ARN.')],
    };
  }
  const identity: Identity = { account, arn, ...principalOf(arn) };
  const attach =
    identity.principalArn !== null && identity.principalArn !== arn
      ? `; its policies attach to ${identity.principalArn}`
      : '';
  return { identity, findings: [finding('identity', 'info', `AWS identity ${arn} (account ${account})${attach}.`)] };
}
