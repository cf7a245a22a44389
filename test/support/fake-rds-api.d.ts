import { FakeQueryApi, type FakeAnswer } from './fake-query-api.js';
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
/**
 * A loopback stand-in for the RDS Query API: DescribeGlobalClusters from `clusters`, and DescribeDBClusters,
 * DescribeDBInstances, DescribeDBClusterEndpoints, DescribeDBProxies and DescribeDBProxyEndpoints from the lists named
 * after them, each with its not-found fault for an unknown name. Reach it with `AWS_ENDPOINT_URL_RDS=fake.url`.
 */
export declare class FakeRdsApi extends FakeQueryApi {
    protected readonly xmlns = "http://rds.amazonaws.com/doc/2014-10-31/";
    clusters: FakeGlobalCluster[];
    dbClusters: FakeDbCluster[];
    dbInstances: FakeDbInstance[];
    clusterEndpoints: FakeClusterEndpoint[];
    proxies: FakeProxy[];
    proxyEndpoints: FakeProxyEndpoint[];
    protected answer(action: string, params: Record<string, string>): FakeAnswer;
}
export declare function clusterArn(c: FakeDbCluster): string;
/** A fake RDS API for the whole test file: started before its tests, AWS_ENDPOINT_URL_RDS pointing at it meanwhile. */
export declare function fakeRdsApiForThisFile(): FakeRdsApi;
