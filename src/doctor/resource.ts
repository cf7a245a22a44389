// What a login's IAM permission is about, looked up: the identity (its account), the target (for a global endpoint,
// in its writer's region) and the database (its resource id). Shared by `rdsiam doctor` and `rdsiam policy`.
import type { ResolvedConfig } from '../config/resolve.js';
import { DESCRIBE_PERMISSION, writerOf } from '../endpoint/describe-global-clusters.js';
import type { Partition } from '../endpoint/rds-host.js';
import { inRegion, type TargetPlan, type TokenTarget } from '../endpoint/target.js';
import type { CredentialsProvider } from '../aws-credentials.js';
import { credentialSettingsOf } from '../token/credentials.js';
import { runtimeFor } from '../token/runtime.js';
import { dbUserArn, dsqlClusterArn, dsqlConnectAction, firstLabel, PLACEHOLDER } from './arn.js';
import { AwsLookups } from './aws.js';
import { lookUpDatabase, type DescribedDatabase } from './database.js';
import type { Finding } from './findings.js';
import { lookUpIdentity, type Identity } from './identity.js';

export interface ResourceFacts {
  /** Null for a global endpoint whose writer could not be looked up. */
  target: TokenTarget | null;
  identity: Identity | null;
  database: DescribedDatabase | null;
  findings: Finding[];
  aws: AwsLookups;
}

/** Looks up the identity, then the database; each lookup that fails is a finding, and the rest goes on. */
export async function lookUpResource(
  config: ResolvedConfig,
  plan: TargetPlan,
  injected?: CredentialsProvider,
): Promise<ResourceFacts> {
  // STS is called where the token provider calls it: the token's region, or a global endpoint's home region.
  const stsRegion = plan.kind === 'fixed' ? plan.target.region : plan.lookup.homeRegion;
  const credentials = runtimeFor().credentials(credentialSettingsOf(config, stsRegion), injected);
  const aws = new AwsLookups(credentials.provider, config.connect_timeout_ms);
  const { identity, findings } = await lookUpIdentity(aws, stsRegion);
  if (findings.some((f) => f.code === 'credentials-failed')) {
    return { target: plan.kind === 'fixed' ? plan.target : null, identity, database: null, findings, aws };
  }
  let target: TokenTarget | null = plan.kind === 'fixed' ? plan.target : null;
  let writerClusterArn: string | undefined;
  if (plan.kind === 'global') {
    const name = firstLabel(plan.lookup.endpoint);
    const writer = await aws.call({
      service: 'rds',
      region: plan.lookup.homeRegion,
      permission: DESCRIBE_PERMISSION,
      unchecked: ['database-not-found', 'iam-auth-disabled', 'port-mismatch', 'permission-denied'],
      run: async (sdk, client, abortSignal) => {
        const out = await client.send(new sdk.DescribeGlobalClustersCommand({ GlobalClusterIdentifier: name }), {
          abortSignal,
        });
        return writerOf(out.GlobalClusters ?? [], plan.lookup, name);
      },
    });
    if (!writer.ok) return { target, identity, database: null, findings: [...findings, writer.finding], aws };
    target = inRegion(plan.base, writer.value.region, 'DescribeGlobalClusters');
    writerClusterArn = writer.value.clusterArn;
  }
  const described = await lookUpDatabase(aws, target as TokenTarget, writerClusterArn);
  return { target, identity, database: described.database, findings: [...findings, ...described.findings], aws };
}

/** The action and resource ARN a login needs; `complete` is false when a placeholder stands for what is unknown. */
export interface ConnectPermission {
  action: string;
  resource: string;
  complete: boolean;
}

export function connectPermission(
  facts: Pick<ResourceFacts, 'identity' | 'database'>,
  target: TokenTarget,
): ConnectPermission {
  const partition: Partition = target.endpoint.partition ?? 'aws';
  if (target.plugin === 'iam_dsql') {
    const account = facts.identity?.account;
    return {
      action: dsqlConnectAction(target.user),
      resource: dsqlClusterArn({
        partition,
        region: target.region,
        account: account ?? PLACEHOLDER.account,
        clusterId: firstLabel(target.host),
      }),
      complete: account !== undefined,
    };
  }
  const db = facts.database;
  const account = db?.account || facts.identity?.account;
  return {
    action: 'rds-db:connect',
    resource: dbUserArn({
      partition,
      region: target.region,
      account: account ?? PLACEHOLDER.account,
      resourceId: db?.resourceId ?? PLACEHOLDER.resourceId,
      user: target.user,
    }),
    complete: account !== undefined && db !== null,
  };
}
