import { loadConfig } from '../config/load.js';
import { inRegion, planTokenTarget, type TokenTarget } from '../endpoint/target.js';
import { firstLabel, PLACEHOLDER } from '../doctor/arn.js';
import { formatPolicy, POLICY_FORMATS, policyDocument, type PolicyFormat } from '../doctor/policy.js';
import { connectPermission, lookUpResource, type ResourceFacts } from '../doctor/resource.js';
import { grantSql } from '../doctor/sql.js';
import { parseOptions, UsageError } from './args.js';
import { CONFIG_FLAGS, CONFIG_FLAGS_HELP, loadOptions, type CliIo } from './io.js';

export const POLICY_HELP = `Usage: rdsiam policy [--format json|terraform|cdk] [--sql] [--no-lookup] [--connection NAME] [--config FILE]

Prints the least-privilege IAM policy for the configured connection: rds-db:connect on the exact ARN of its
database user (the resource id looked up with the RDS API, the account with STS), plus rds:DescribeGlobalClusters
for a global database endpoint without iam_region, or the DSQL connect action for iam_dsql. Where a value cannot
be looked up, a placeholder stands in its place and stderr says where to find it.

Options:
      --format FORMAT      json (an IAM policy document, the default), terraform (an aws_iam_policy_document
                           data block) or cdk (TypeScript aws-cdk-lib iam.PolicyStatement)
      --sql                print the statements that set the database user up for IAM instead
      --no-lookup          call no AWS API; placeholders for the account and the resource id
${CONFIG_FLAGS_HELP}

Exit code: 0 when printed, 1 when it could not be, 2 for a usage or config error.`;

export const POLICY_OPTIONS = {
  ...CONFIG_FLAGS,
  format: { type: 'string', short: 'f' },
  sql: { type: 'boolean' },
  'no-lookup': { type: 'boolean' },
} as const;

/** Where to find the value a placeholder stands for, by endpoint kind. */
function whereToFind(target: TokenTarget): string {
  const name = firstLabel(target.host);
  const account = `${PLACEHOLDER.account}: the 12-digit AWS account id (aws sts get-caller-identity --query Account)`;
  if (target.plugin === 'iam_dsql') return account;
  const resourceId = {
    instance: `aws rds describe-db-instances --db-instance-identifier ${name} --query 'DBInstances[0].[DbiResourceId,DBClusterIdentifier]' (an Aurora instance's is its cluster's)`,
    proxy: `aws rds describe-db-proxies --query 'DBProxies[].DBProxyArn' (the prx-... at the end of the proxy's ARN)`,
    'cluster-custom': `aws rds describe-db-cluster-endpoints --db-cluster-endpoint-identifier ${name} --query 'DBClusterEndpoints[0].DBClusterIdentifier', then that cluster's DbClusterResourceId`,
  }[target.endpoint.kind as string];
  return (
    `${account}; ${PLACEHOLDER.resourceId}: the database's resource id, in the RDS console (the database's ` +
    `Configuration tab) or from ${resourceId ?? `aws rds describe-db-clusters --db-cluster-identifier ${name} --query 'DBClusters[0].DbClusterResourceId'`}`
  );
}

export async function policyCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseOptions({ args, options: POLICY_OPTIONS });
  if (values.help) {
    io.out(`${POLICY_HELP}\n`);
    return 0;
  }
  const format = (values.format ?? 'json') as PolicyFormat;
  if (!POLICY_FORMATS.includes(format)) {
    throw new UsageError(`--format must be one of ${POLICY_FORMATS.join(', ')}, got ${values.format}`);
  }
  const options = loadOptions(io, values);
  const config = await loadConfig(options);
  const plan = planTokenTarget(config);
  // --sql for RDS and Aurora needs no AWS answer; DSQL's grant names the IAM role.
  const lookup =
    values['no-lookup'] !== true &&
    (values.sql !== true || (plan.kind === 'fixed' && plan.target.plugin === 'iam_dsql'));
  const facts: Pick<ResourceFacts, 'identity' | 'database' | 'target'> = lookup
    ? await lookUpResource(config, plan, io.tokenDeps?.credentials)
    : { identity: null, database: null, target: plan.kind === 'fixed' ? plan.target : null };
  if ('findings' in facts) {
    for (const f of facts.findings as ResourceFacts['findings']) {
      if (f.severity !== 'info') io.err(`rdsiam policy: ${f.message}${f.fix === undefined ? '' : ` ${f.fix}`}\n`);
    }
  }
  const target =
    facts.target ??
    inRegion((plan as Extract<typeof plan, { kind: 'global' }>).base, '<writer-region>', 'DescribeGlobalClusters');

  if (values.sql) {
    const roleArn = facts.identity?.principalArn ?? '<role-arn>';
    const sql = grantSql({ plugin: target.plugin, engine: target.engine, user: target.user, roleArn });
    if (roleArn === '<role-arn>' && sql.length > 1) {
      io.err(
        'rdsiam policy: <role-arn> is the IAM role that signs the tokens (aws sts get-caller-identity shows it).\n',
      );
    }
    io.out(sql.length === 0 ? `-- DSQL's admin role needs no grant.\n` : `${sql.join('\n')}\n`);
    return 0;
  }
  const permission = connectPermission(facts, target);
  const doc = policyDocument(plan, permission, facts.identity?.account);
  if (!permission.complete || facts.target === null) {
    io.err(
      `rdsiam policy: the policy holds placeholders; put the real values in. ${whereToFind(target)}` +
        `${facts.target === null ? "; <writer-region>: the region of the global database's writer cluster" : ''}.\n`,
    );
  }
  io.out(formatPolicy(doc, format));
  return 0;
}
