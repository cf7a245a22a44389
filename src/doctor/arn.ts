// The ARNs an IAM policy for a database login names, shared by `rdsiam doctor` (what it simulates) and
// `rdsiam policy` (what it prints).
import type { Partition } from '../endpoint/rds-host.js';

/** Where an unknown part of an ARN goes: the account or resource id a lookup could not find. */
export const PLACEHOLDER = { account: '<account>', resourceId: '<resource-id>' } as const;

/** The resource of `rds-db:connect`: one database user of one cluster, instance or proxy (by its resource id). */
export function dbUserArn(p: {
  partition: Partition;
  region: string;
  account: string;
  resourceId: string;
  user: string;
}): string {
  return `arn:${p.partition}:rds-db:${p.region}:${p.account}:dbuser:${p.resourceId}/${p.user}`;
}

/** An Aurora DSQL cluster, the resource of `dsql:DbConnect` and `dsql:DbConnectAdmin`. */
export function dsqlClusterArn(p: {
  partition: Partition;
  region: string;
  account: string;
  clusterId: string;
}): string {
  return `arn:${p.partition}:dsql:${p.region}:${p.account}:cluster/${p.clusterId}`;
}

/** An Aurora global database, the resource of `rds:DescribeGlobalClusters`. */
export function globalClusterArn(p: { partition: Partition; account: string; name: string }): string {
  return `arn:${p.partition}:rds::${p.account}:global-cluster:${p.name}`;
}

/** DSQL's built-in `admin` role connects with its own action; every other role with `dsql:DbConnect`. */
export function dsqlConnectAction(user: string): 'dsql:DbConnectAdmin' | 'dsql:DbConnect' {
  return user === 'admin' ? 'dsql:DbConnectAdmin' : 'dsql:DbConnect';
}

/** The account of an ARN (its fifth field), or undefined when it has none. */
export function accountOf(arn: string): string | undefined {
  const account = arn.split(':')[4];
  return account === undefined || !/^\d{12}$/.test(account) ? undefined : account;
}

/** The first DNS label of an endpoint: the cluster, instance, proxy or DSQL cluster name. */
export function firstLabel(host: string): string {
  const dot = host.indexOf('.');
  return dot < 0 ? host : host.slice(0, dot);
}
