import { after, before } from 'node:test';
import { escapeXml, FakeQueryApi, type FakeAnswer } from './fake-query-api.js';

export type { FakeCall, FakeFault } from './fake-query-api.js';

/** One member cluster of a global database. */
export interface FakeMember {
  /** `arn:aws:rds:<region>:<account>:cluster:<name>`. */
  arn: string;
  isWriter: boolean;
}

export interface FakeGlobalCluster {
  identifier: string;
  /** The global writer endpoint; omitted from the answer when undefined. */
  endpoint: string | undefined;
  status?: string;
  members: FakeMember[];
}

const XMLNS = 'http://rds.amazonaws.com/doc/2014-10-31/';

/** A DB cluster as DescribeDBClusters tells it. */
export interface FakeDbCluster {
  identifier: string;
  /** `cluster-…`. */
  resourceId: string;
  endpoint: string;
  readerEndpoint?: string;
  port: number;
  /** `aurora-postgresql`, `aurora-mysql`. */
  engine: string;
  iamAuth: boolean;
  /** In its ARN; 123456789012 unless told. */
  account?: string;
  /** In its ARN; us-east-1 unless told. */
  region?: string;
}

/** A DB instance as DescribeDBInstances tells it; `cluster` for an Aurora instance. */
export interface FakeDbInstance {
  identifier: string;
  /** `db-…`. */
  resourceId: string;
  endpoint: string;
  port: number;
  engine: string;
  iamAuth: boolean;
  cluster?: string;
}

/** A custom cluster endpoint (DescribeDBClusterEndpoints). */
export interface FakeClusterEndpoint {
  identifier: string;
  cluster: string;
  endpoint: string;
}

/** An RDS Proxy (DescribeDBProxies); `iamAuth` is its one auth entry's IAMAuth. */
export interface FakeProxy {
  name: string;
  /** `prx-…`. */
  resourceId: string;
  endpoint: string;
  engineFamily: 'POSTGRESQL' | 'MYSQL';
  iamAuth: 'DISABLED' | 'REQUIRED' | 'ENABLED';
}

/** A proxy endpoint of its own (DescribeDBProxyEndpoints). */
export interface FakeProxyEndpoint {
  name: string;
  proxy: string;
  endpoint: string;
}

const ACCOUNT = '123456789012';

/** The global database `identifier` behind `endpoint`, with members in three regions and its writer in `region`. */
export function globalDatabase(identifier: string, endpoint: string, region: string): FakeGlobalCluster {
  return {
    identifier,
    endpoint,
    members: ['us-east-1', 'us-west-2', 'eu-west-1'].map((r) => ({
      arn: `arn:aws:rds:${r}:${ACCOUNT}:cluster:${identifier}-${r}`,
      isWriter: r === region,
    })),
  };
}

/**
 * A loopback stand-in for the RDS Query API: DescribeGlobalClusters from `clusters`, and DescribeDBClusters,
 * DescribeDBInstances, DescribeDBClusterEndpoints, DescribeDBProxies and DescribeDBProxyEndpoints from the lists named
 * after them, each with its not-found fault for an unknown name. Reach it with `AWS_ENDPOINT_URL_RDS=fake.url`.
 */
export class FakeRdsApi extends FakeQueryApi {
  protected readonly xmlns = XMLNS;
  clusters: FakeGlobalCluster[] = [];
  dbClusters: FakeDbCluster[] = [];
  dbInstances: FakeDbInstance[] = [];
  clusterEndpoints: FakeClusterEndpoint[] = [];
  proxies: FakeProxy[] = [];
  proxyEndpoints: FakeProxyEndpoint[] = [];

  protected answer(action: string, params: Record<string, string>): FakeAnswer {
    const list = <T>(
      wanted: string | undefined,
      items: T[],
      matches: (item: T, wanted: string) => boolean,
      xml: (item: T) => string,
      wrapper: string,
      notFound?: string,
    ): FakeAnswer => {
      const found = items.filter((item) => wanted === undefined || matches(item, wanted));
      if (wanted !== undefined && found.length === 0 && notFound !== undefined) {
        return this.error(404, notFound, `${wrapper.replace(/s$/, '')} ${wanted} not found.`);
      }
      return this.result(action, `<${wrapper}>${found.map(xml).join('')}</${wrapper}>`);
    };
    switch (action) {
      case 'DescribeGlobalClusters':
        return list(
          params['GlobalClusterIdentifier']?.toLowerCase(),
          this.clusters,
          (c, w) => c.identifier === w,
          globalClusterXml,
          'GlobalClusters',
          'GlobalClusterNotFoundFault',
        );
      case 'DescribeDBClusters':
        return list(
          params['DBClusterIdentifier'],
          this.dbClusters,
          (c, w) => c.identifier === w || clusterArn(c) === w,
          dbClusterXml,
          'DBClusters',
          'DBClusterNotFoundFault',
        );
      case 'DescribeDBInstances':
        return list(
          params['DBInstanceIdentifier'],
          this.dbInstances,
          (i, w) => i.identifier === w,
          dbInstanceXml,
          'DBInstances',
          'DBInstanceNotFound',
        );
      case 'DescribeDBClusterEndpoints':
        return list(
          params['DBClusterEndpointIdentifier'],
          this.clusterEndpoints,
          (e, w) => e.identifier === w,
          clusterEndpointXml,
          'DBClusterEndpoints',
        );
      case 'DescribeDBProxies':
        return list(
          params['DBProxyName'],
          this.proxies,
          (p, w) => p.name === w,
          proxyXml,
          'DBProxies',
          'DBProxyNotFoundFault',
        );
      case 'DescribeDBProxyEndpoints':
        return list(
          params['DBProxyEndpointName'],
          this.proxyEndpoints,
          (e, w) => e.name === w,
          proxyEndpointXml,
          'DBProxyEndpoints',
          'DBProxyEndpointNotFoundFault',
        );
      default:
        return this.invalidAction(action);
    }
  }
}

// The shapes of the RDS API reference (DescribeGlobalClusters, GlobalCluster, GlobalClusterMember): list members of
// GlobalClusters and GlobalClusterMembers are both <GlobalClusterMember>, Readers' are <member>.
function globalClusterXml(c: FakeGlobalCluster): string {
  const writer = c.members.find((m) => m.isWriter);
  const members = c.members
    .map(
      (m) => `
        <GlobalClusterMember>
          <DBClusterArn>${escapeXml(m.arn)}</DBClusterArn>
          <Readers>${
            m.isWriter
              ? c.members
                  .filter((r) => !r.isWriter)
                  .map((r) => `<member>${escapeXml(r.arn)}</member>`)
                  .join('')
              : ''
          }</Readers>
          <IsWriter>${m.isWriter}</IsWriter>
          <GlobalWriteForwardingStatus>disabled</GlobalWriteForwardingStatus>
          ${m.isWriter ? '' : '<SynchronizationStatus>connected</SynchronizationStatus>'}
        </GlobalClusterMember>`,
    )
    .join('');
  return `
    <GlobalClusterMember>
      <GlobalClusterIdentifier>${escapeXml(c.identifier)}</GlobalClusterIdentifier>
      <GlobalClusterResourceId>cluster-0a1b2c3d4e5f60718</GlobalClusterResourceId>
      <GlobalClusterArn>arn:aws:rds::123456789012:global-cluster:${escapeXml(c.identifier)}</GlobalClusterArn>
      <Status>${escapeXml(c.status ?? 'available')}</Status>
      <Engine>aurora-postgresql</Engine>
      <EngineVersion>15.4</EngineVersion>
      <EngineLifecycleSupport>open-source-rds-extended-support</EngineLifecycleSupport>
      <DatabaseName>app</DatabaseName>
      <StorageEncrypted>true</StorageEncrypted>
      <DeletionProtection>false</DeletionProtection>
      <GlobalClusterMembers>${members}
      </GlobalClusterMembers>
      ${c.endpoint === undefined ? '' : `<Endpoint>${escapeXml(c.endpoint)}</Endpoint>`}
      ${writer === undefined ? '<FailoverState><Status>failing-over</Status></FailoverState>' : ''}
      <TagList/>
    </GlobalClusterMember>`;
}

export function clusterArn(c: FakeDbCluster): string {
  return `arn:aws:rds:${c.region ?? 'us-east-1'}:${c.account ?? ACCOUNT}:cluster:${c.identifier}`;
}

// DBCluster (DescribeDBClusters): list members are <DBCluster>.
function dbClusterXml(c: FakeDbCluster): string {
  return `
      <DBCluster>
        <DBClusterIdentifier>${escapeXml(c.identifier)}</DBClusterIdentifier>
        <DbClusterResourceId>${escapeXml(c.resourceId)}</DbClusterResourceId>
        <DBClusterArn>${escapeXml(clusterArn(c))}</DBClusterArn>
        <Status>available</Status>
        <Engine>${escapeXml(c.engine)}</Engine>
        <EngineVersion>16.4</EngineVersion>
        <Endpoint>${escapeXml(c.endpoint)}</Endpoint>
        ${c.readerEndpoint === undefined ? '' : `<ReaderEndpoint>${escapeXml(c.readerEndpoint)}</ReaderEndpoint>`}
        <MultiAZ>false</MultiAZ>
        <Port>${c.port}</Port>
        <MasterUsername>postgres</MasterUsername>
        <DBClusterMembers>
          <DBClusterMember>
            <DBInstanceIdentifier>${escapeXml(c.identifier)}-1</DBInstanceIdentifier>
            <IsClusterWriter>true</IsClusterWriter>
            <PromotionTier>1</PromotionTier>
          </DBClusterMember>
        </DBClusterMembers>
        <IAMDatabaseAuthenticationEnabled>${c.iamAuth}</IAMDatabaseAuthenticationEnabled>
        <StorageEncrypted>true</StorageEncrypted>
        <DeletionProtection>false</DeletionProtection>
        <TagList/>
      </DBCluster>`;
}

// DBInstance (DescribeDBInstances): list members are <DBInstance>; Endpoint is a structure.
function dbInstanceXml(i: FakeDbInstance): string {
  return `
      <DBInstance>
        <DBInstanceIdentifier>${escapeXml(i.identifier)}</DBInstanceIdentifier>
        <DbiResourceId>${escapeXml(i.resourceId)}</DbiResourceId>
        <DBInstanceArn>arn:aws:rds:us-east-1:${ACCOUNT}:db:${escapeXml(i.identifier)}</DBInstanceArn>
        <DBInstanceClass>db.t4g.micro</DBInstanceClass>
        <Engine>${escapeXml(i.engine)}</Engine>
        <DBInstanceStatus>available</DBInstanceStatus>
        <Endpoint>
          <Address>${escapeXml(i.endpoint)}</Address>
          <Port>${i.port}</Port>
          <HostedZoneId>Z2R2ITUGPM61AM</HostedZoneId>
        </Endpoint>
        ${i.cluster === undefined ? '' : `<DBClusterIdentifier>${escapeXml(i.cluster)}</DBClusterIdentifier>`}
        <IAMDatabaseAuthenticationEnabled>${i.iamAuth}</IAMDatabaseAuthenticationEnabled>
        <TagList/>
      </DBInstance>`;
}

// DBClusterEndpoint (DescribeDBClusterEndpoints): list members are <DBClusterEndpointList>.
function clusterEndpointXml(e: FakeClusterEndpoint): string {
  return `
      <DBClusterEndpointList>
        <DBClusterEndpointIdentifier>${escapeXml(e.identifier)}</DBClusterEndpointIdentifier>
        <DBClusterIdentifier>${escapeXml(e.cluster)}</DBClusterIdentifier>
        <DBClusterEndpointResourceIdentifier>cluster-endpoint-0a1b2c3d4e5f</DBClusterEndpointResourceIdentifier>
        <Endpoint>${escapeXml(e.endpoint)}</Endpoint>
        <Status>available</Status>
        <EndpointType>CUSTOM</EndpointType>
        <CustomEndpointType>ANY</CustomEndpointType>
        <StaticMembers/>
        <ExcludedMembers/>
        <DBClusterEndpointArn>arn:aws:rds:us-east-1:${ACCOUNT}:cluster-endpoint:${escapeXml(e.identifier)}</DBClusterEndpointArn>
      </DBClusterEndpointList>`;
}

// DBProxy (DescribeDBProxies): list members, and those of Auth, are <member>.
function proxyXml(p: FakeProxy): string {
  return `
      <member>
        <DBProxyName>${escapeXml(p.name)}</DBProxyName>
        <DBProxyArn>arn:aws:rds:us-east-1:${ACCOUNT}:db-proxy:${escapeXml(p.resourceId)}</DBProxyArn>
        <Status>available</Status>
        <EngineFamily>${p.engineFamily}</EngineFamily>
        <VpcId>vpc-0a1b2c3d</VpcId>
        <Auth>
          <member>
            <AuthScheme>SECRETS</AuthScheme>
            <SecretArn>arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:app-db-AbCdEf</SecretArn>
            <IAMAuth>${p.iamAuth}</IAMAuth>
            <ClientPasswordAuthType>${p.engineFamily === 'MYSQL' ? 'MYSQL_NATIVE_PASSWORD' : 'POSTGRES_SCRAM_SHA_256'}</ClientPasswordAuthType>
          </member>
        </Auth>
        <RoleArn>arn:aws:iam::${ACCOUNT}:role/rds-proxy-secrets</RoleArn>
        <Endpoint>${escapeXml(p.endpoint)}</Endpoint>
        <RequireTLS>true</RequireTLS>
        <IdleClientTimeout>1800</IdleClientTimeout>
        <DebugLogging>false</DebugLogging>
      </member>`;
}

// DBProxyEndpoint (DescribeDBProxyEndpoints): list members are <member>.
function proxyEndpointXml(e: FakeProxyEndpoint): string {
  return `
      <member>
        <DBProxyEndpointName>${escapeXml(e.name)}</DBProxyEndpointName>
        <DBProxyEndpointArn>arn:aws:rds:us-east-1:${ACCOUNT}:db-proxy-endpoint:prx-endpoint-0a1b2c3d</DBProxyEndpointArn>
        <DBProxyName>${escapeXml(e.proxy)}</DBProxyName>
        <Status>available</Status>
        <VpcId>vpc-0a1b2c3d</VpcId>
        <Endpoint>${escapeXml(e.endpoint)}</Endpoint>
        <TargetRole>READ_WRITE</TargetRole>
        <IsDefault>false</IsDefault>
      </member>`;
}

/** A fake RDS API for the whole test file: started before its tests, AWS_ENDPOINT_URL_RDS pointing at it meanwhile. */
export function fakeRdsApiForThisFile(): FakeRdsApi {
  const api = new FakeRdsApi();
  let saved: string | undefined;
  before(async () => {
    await api.start();
    saved = process.env.AWS_ENDPOINT_URL_RDS;
    process.env.AWS_ENDPOINT_URL_RDS = api.url;
  });
  after(async () => {
    if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_RDS;
    else process.env.AWS_ENDPOINT_URL_RDS = saved;
    await api.stop();
  });
  return api;
}
