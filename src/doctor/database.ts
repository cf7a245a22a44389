// The database the token is for, as the RDS API describes it: found by the endpoint's name in this account and
// region, with its resource id, whether IAM authentication is on, its engine and its port.
import type { DBCluster, DBProxy } from '@aws-sdk/client-rds';
import { DEFAULT_PORT, type Engine } from '../config/dsn.js';
import type { TokenTarget } from '../endpoint/target.js';
import { accountOf, firstLabel } from './arn.js';
import type { AwsLookups, Call, Lookup } from './aws.js';
import { finding, type Finding, type FindingCode } from './findings.js';

export interface DescribedDatabase {
  /** How it was described: `DB cluster`, `DB instance` or `DB proxy`, and its name. */
  what: string;
  /** `cluster-…`, `db-…` or `prx-…`: the resource id in the `rds-db:connect` ARN. */
  resourceId: string;
  account: string;
  engine: string;
  port: number;
  iamEnabled: boolean;
  /** Where IAM authentication is switched on, for the fix. */
  enableIam: string;
}

const DATABASE_CAUSES: FindingCode[] = [
  'database-not-found',
  'iam-auth-disabled',
  'port-mismatch',
  'engine-mismatch',
  'permission-denied',
];

type RdsCall<T> = Omit<Call<'rds', T>, 'service' | 'region' | 'unchecked'>;

/**
 * Describes the database behind `target.host` in `target.region`. `writerClusterArn` names the writer cluster of a
 * global endpoint, which its host does not. Null with the findings saying why, when it is not found or not looked up.
 */
export async function lookUpDatabase(
  aws: AwsLookups,
  target: TokenTarget,
  writerClusterArn?: string,
): Promise<{ database: DescribedDatabase | null; findings: Finding[] }> {
  const call = <T>(c: RdsCall<T>): Promise<Lookup<T>> =>
    aws.call({ ...c, service: 'rds', region: target.region, unchecked: DATABASE_CAUSES });
  const host = target.host;
  const name = firstLabel(host);
  const where = `in ${target.region}`;
  const notFound = (what: string, detail = ''): { database: null; findings: Finding[] } => ({
    database: null,
    findings: [
      finding('database-not-found', 'error', `No ${what} ${where} of this account has the endpoint ${host}${detail}.`, {
        fix:
          "Check the host name, the region, and that the AWS credentials belong to the database's account (a database " +
          'in another account needs a role there: aws_role_arn).',
      }),
    ],
  });

  const clusters = (identifier: string) =>
    call({
      permission: 'rds:DescribeDBClusters',
      run: (sdk, client, abortSignal) =>
        noneIfMissing('DBClusterNotFoundFault', async () => {
          const out = await client.send(new sdk.DescribeDBClustersCommand({ DBClusterIdentifier: identifier }), {
            abortSignal,
          });
          return out.DBClusters ?? [];
        }),
    });
  const clusterFacts = (c: DBCluster): DescribedDatabase | undefined => {
    if (c.DbClusterResourceId === undefined || c.DBClusterArn === undefined) return undefined;
    return {
      what: `DB cluster ${c.DBClusterIdentifier ?? name}`,
      resourceId: c.DbClusterResourceId,
      account: accountOf(c.DBClusterArn) ?? '',
      engine: c.Engine ?? 'unknown',
      port: c.Port ?? DEFAULT_PORT[target.engine],
      iamEnabled: c.IAMDatabaseAuthenticationEnabled === true,
      enableIam: `aws rds modify-db-cluster --db-cluster-identifier ${c.DBClusterIdentifier ?? name} --enable-iam-database-authentication --apply-immediately`,
    };
  };
  const clusterNamed = async (identifier: string, matches: (c: DBCluster) => boolean, what: string) => {
    const got = await clusters(identifier);
    if (!got.ok) return { database: null, findings: [got.finding] };
    const facts = got.value.find(matches);
    const database = facts === undefined ? undefined : clusterFacts(facts);
    return database === undefined ? notFound(what) : judge(database, target);
  };

  switch (target.endpoint.kind) {
    case 'cluster':
    case 'cluster-ro':
    case 'limitless':
      return clusterNamed(
        name,
        (c) => c.Endpoint?.toLowerCase() === host || c.ReaderEndpoint?.toLowerCase() === host,
        `DB cluster named ${name}`,
      );
    case 'global':
      if (writerClusterArn === undefined) return { database: null, findings: [] };
      return clusterNamed(
        writerClusterArn,
        (c) => c.DBClusterArn === writerClusterArn,
        `writer cluster ${writerClusterArn}`,
      );
    case 'cluster-custom': {
      const got = await call({
        permission: 'rds:DescribeDBClusterEndpoints',
        run: async (sdk, client, abortSignal) =>
          (
            await client.send(new sdk.DescribeDBClusterEndpointsCommand({ DBClusterEndpointIdentifier: name }), {
              abortSignal,
            })
          ).DBClusterEndpoints ?? [],
      });
      if (!got.ok) return { database: null, findings: [got.finding] };
      const custom = got.value.find((e) => e.Endpoint?.toLowerCase() === host);
      if (custom?.DBClusterIdentifier === undefined) return notFound(`custom cluster endpoint named ${name}`);
      return clusterNamed(custom.DBClusterIdentifier, () => true, `DB cluster ${custom.DBClusterIdentifier}`);
    }
    case 'instance': {
      const got = await call({
        permission: 'rds:DescribeDBInstances',
        run: (sdk, client, abortSignal) =>
          noneIfMissing('DBInstanceNotFoundFault', async () => {
            const out = await client.send(new sdk.DescribeDBInstancesCommand({ DBInstanceIdentifier: name }), {
              abortSignal,
            });
            return out.DBInstances ?? [];
          }),
      });
      if (!got.ok) return { database: null, findings: [got.finding] };
      const instance = got.value.find((i) => i.Endpoint?.Address?.toLowerCase() === host);
      if (instance === undefined) return notFound(`DB instance named ${name}`);
      // An Aurora instance: IAM authentication and the resource id in the ARN are its cluster's.
      if (instance.DBClusterIdentifier !== undefined) {
        return clusterNamed(instance.DBClusterIdentifier, () => true, `DB cluster ${instance.DBClusterIdentifier}`);
      }
      if (instance.DbiResourceId === undefined || instance.DBInstanceArn === undefined) return notFound('DB instance');
      return judge(
        {
          what: `DB instance ${instance.DBInstanceIdentifier ?? name}`,
          resourceId: instance.DbiResourceId,
          account: accountOf(instance.DBInstanceArn) ?? '',
          engine: instance.Engine ?? 'unknown',
          port: instance.Endpoint?.Port ?? DEFAULT_PORT[target.engine],
          iamEnabled: instance.IAMDatabaseAuthenticationEnabled === true,
          enableIam: `aws rds modify-db-instance --db-instance-identifier ${instance.DBInstanceIdentifier ?? name} --enable-iam-database-authentication --apply-immediately`,
        },
        target,
      );
    }
    case 'proxy':
      return lookUpProxy(call, target, notFound);
    default:
      // DSQL clusters, and names that are not RDS endpoints: nothing to describe.
      return { database: null, findings: [] };
  }
}

async function lookUpProxy(
  call: <T>(c: RdsCall<T>) => Promise<Lookup<T>>,
  target: TokenTarget,
  notFound: (what: string) => { database: null; findings: Finding[] },
): Promise<{ database: DescribedDatabase | null; findings: Finding[] }> {
  const host = target.host;
  let proxyName = firstLabel(host);
  // `<name>.endpoint.proxy-<id>...`: a proxy endpoint of its own, which names its proxy.
  if (host.split('.')[1] === 'endpoint') {
    const endpoints = await call({
      permission: 'rds:DescribeDBProxyEndpoints',
      run: (sdk, client, abortSignal) =>
        noneIfMissing('DBProxyEndpointNotFoundFault', async () => {
          const out = await client.send(new sdk.DescribeDBProxyEndpointsCommand({ DBProxyEndpointName: proxyName }), {
            abortSignal,
          });
          return out.DBProxyEndpoints ?? [];
        }),
    });
    if (!endpoints.ok) return { database: null, findings: [endpoints.finding] };
    const endpoint = endpoints.value.find((e) => e.Endpoint?.toLowerCase() === host);
    if (endpoint?.DBProxyName === undefined) return notFound(`DB proxy endpoint named ${proxyName}`);
    proxyName = endpoint.DBProxyName;
  }
  const proxies = await call({
    permission: 'rds:DescribeDBProxies',
    run: (sdk, client, abortSignal) =>
      noneIfMissing('DBProxyNotFoundFault', async () => {
        return (
          (await client.send(new sdk.DescribeDBProxiesCommand({ DBProxyName: proxyName }), { abortSignal }))
            .DBProxies ?? []
        );
      }),
  });
  if (!proxies.ok) return { database: null, findings: [proxies.finding] };
  const proxy = proxies.value.find((p) => p.DBProxyName === proxyName);
  const resourceId = proxy?.DBProxyArn?.split(':').pop();
  if (proxy?.DBProxyArn === undefined || resourceId === undefined) return notFound(`DB proxy named ${proxyName}`);
  return judge(
    {
      what: `DB proxy ${proxyName}`,
      resourceId,
      account: accountOf(proxy.DBProxyArn) ?? '',
      engine: proxy.EngineFamily ?? 'unknown',
      // A proxy listens on its engine's default port.
      port: DEFAULT_PORT[target.engine],
      iamEnabled: proxyTakesIam(proxy),
      enableIam: `set IAM authentication to REQUIRED in the proxy's authentication settings (aws rds modify-db-proxy --db-proxy-name ${proxyName} --auth ...IAMAuth=REQUIRED)`,
    },
    target,
  );
}

/** A proxy takes IAM tokens with end-to-end IAM (DefaultAuthScheme) or an auth entry whose IAMAuth is not DISABLED. */
/** A describe call whose not-found fault means "none of that name": an empty list, which the caller reports. */
async function noneIfMissing<T>(fault: string, describe: () => Promise<T[]>): Promise<T[]> {
  try {
    return await describe();
  } catch (err) {
    if ((err as { name?: unknown }).name === fault) return [];
    throw err;
  }
}

function proxyTakesIam(proxy: DBProxy): boolean {
  if (proxy.DefaultAuthScheme === 'IAM_AUTH') return true;
  return (proxy.Auth ?? []).some((a) => a.IAMAuth === 'REQUIRED' || a.IAMAuth === 'ENABLED');
}

const ENGINE_FAMILY: Record<Engine, RegExp> = { postgres: /postgres/i, mysql: /mysql|mariadb/i };

/** The findings about a database that was found: IAM authentication, engine and port. */
function judge(db: DescribedDatabase, target: TokenTarget): { database: DescribedDatabase; findings: Finding[] } {
  const findings = [
    finding(
      'database',
      'info',
      `${db.what} (resource id ${db.resourceId}, account ${db.account}), engine ${db.engine}, port ${db.port}, IAM authentication ${db.iamEnabled ? 'enabled' : 'disabled'}.`,
    ),
  ];
  if (!db.iamEnabled) {
    findings.push(
      finding('iam-auth-disabled', 'error', `IAM database authentication is not enabled on ${db.what}.`, {
        fix: `Enable it: ${db.enableIam}.`,
      }),
    );
  }
  if (!ENGINE_FAMILY[target.engine].test(db.engine)) {
    findings.push(
      finding('engine-mismatch', 'error', `The DSN is for ${target.engine}, but ${db.what} runs ${db.engine}.`, {
        fix: "Use a DSN of the database's engine (postgres:// or mysql://), or point it at the right endpoint.",
      }),
    );
  }
  if (db.port !== target.port) {
    findings.push(
      finding(
        'port-mismatch',
        'error',
        `The token is signed for port ${target.port}, but ${db.what} listens on ${db.port}: the token names host and port, so it is refused.`,
        { fix: `Set iam_default_port: ${db.port} (or put port ${db.port} in the DSN).` },
      ),
    );
  }
  return { database: db, findings };
}
