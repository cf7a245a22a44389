import type { CredentialsProvider } from '../aws-credentials.js';
import type { CredentialsSource } from '../config/keys.js';
import { CredentialsError, EndpointError, RdsIamError } from '../errors.js';
import { lazyPackage, missingPackage } from '../optional-package.js';
import { redactFailure } from '../secret.js';
import { isRegion } from '../region.js';
import type { GlobalWriterLookup } from './target.js';

/** The writer of a global database, as DescribeGlobalClusters reports it. */
export interface GlobalWriter {
  /** The region of the writer (primary) cluster, from its ARN. */
  readonly region: string;
  readonly clusterArn: string;
  readonly globalCluster: string;
}

/** The credentials the lookup is signed with: the ones tokens are signed with. */
export interface LookupCredentials {
  readonly provider: CredentialsProvider;
  readonly settings: { readonly source: CredentialsSource; readonly profile: string | undefined };
}

/** The IAM action the lookup needs, named in errors, `rdsiam check` and docs/global-and-dsql.md. */
export const DESCRIBE_PERMISSION = 'rds:DescribeGlobalClusters';

// Only users of a global endpoint without iam_region load (or need to install) the RDS client.
const loadClientRds = lazyPackage(
  (p) => p.clientRds(),
  () =>
    import('@aws-sdk/client-rds').catch(
      missingPackage(
        '@aws-sdk/client-rds',
        'to look up the writer region of an Aurora global database endpoint (or set iam_region to skip the lookup)',
      ),
    ),
);

const CLUSTER_ARN = /^arn:aws[a-z-]*:rds:(?<region>[a-z0-9-]+):\d{12}:cluster:[^:]+$/;
export const ACCESS_DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'AuthorizationError',
]);
export const BAD_CREDENTIALS = new Set([
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'ExpiredTokenException',
  'UnrecognizedClientException',
]);
const THROTTLED = new Set([
  'Throttling',
  'ThrottlingException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'TooManyRequestsException',
]);
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

/**
 * Finds the writer of the global database whose writer endpoint is `lookup.endpoint`: DescribeGlobalClusters in the
 * home region for the global cluster named by the endpoint's first label, the cluster whose `Endpoint` is that host,
 * its member with `IsWriter`, and that member's region from its ARN. The SDK retries throttling and network errors;
 * the whole call is cut off after `lookup.timeoutMs`. Every failure is a CredentialsError or EndpointError saying what to do.
 */
export async function describeGlobalWriter(
  lookup: GlobalWriterLookup,
  credentials: LookupCredentials,
): Promise<GlobalWriter> {
  const sdk = await loadClientRds();
  const name = lookup.endpoint.slice(0, lookup.endpoint.indexOf('.'));
  const client = new sdk.RDSClient({ region: lookup.homeRegion, credentials: credentials.provider });
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), lookup.timeoutMs);
  try {
    const out = await client.send(new sdk.DescribeGlobalClustersCommand({ GlobalClusterIdentifier: name }), {
      abortSignal: abort.signal,
    });
    return writerOf(out.GlobalClusters ?? [], lookup, name);
  } catch (err) {
    throw lookupError(err, lookup, name, credentials.settings, abort.signal.aborted);
  } finally {
    clearTimeout(timer);
    client.destroy();
  }
}

interface Member {
  DBClusterArn?: string | undefined;
  IsWriter?: boolean | undefined;
}
interface Cluster {
  GlobalClusterIdentifier?: string | undefined;
  Endpoint?: string | undefined;
  Status?: string | undefined;
  GlobalClusterMembers?: Member[] | undefined;
}

export function writerOf(clusters: readonly Cluster[], lookup: GlobalWriterLookup, name: string): GlobalWriter {
  const where = `DescribeGlobalClusters in ${lookup.homeRegion}`;
  const cluster = clusters.find((c) => c.Endpoint?.toLowerCase() === lookup.endpoint);
  if (cluster === undefined) {
    const seen = clusters.map((c) => `${c.GlobalClusterIdentifier ?? '?'} (${c.Endpoint ?? 'no endpoint'})`).join(', ');
    throw new EndpointError(
      `${where} found no global cluster whose writer endpoint is ${lookup.endpoint}${seen === '' ? '' : `; it answered ${seen}`}. ` +
        `Check the host name, and that the credentials belong to the global database's account.`,
    );
  }
  const id = cluster.GlobalClusterIdentifier ?? name;
  const writer = cluster.GlobalClusterMembers?.find((m) => m.IsWriter === true);
  if (writer?.DBClusterArn === undefined) {
    throw new EndpointError(
      `Global cluster ${id} (status ${cluster.Status ?? 'unknown'}, from ${where}) lists no writer member right now, ` +
        'so its writer region is unknown: a switchover or failover may be under way. Retry shortly, or set iam_region.',
    );
  }
  const region = CLUSTER_ARN.exec(writer.DBClusterArn)?.groups?.['region'];
  if (region === undefined || !isRegion(region)) {
    throw new EndpointError(
      `The writer of global cluster ${id} has the ARN ${JSON.stringify(writer.DBClusterArn)} (from ${where}), which names ` +
        'no region; set iam_region to the writer region.',
    );
  }
  return { region, clusterArn: writer.DBClusterArn, globalCluster: id };
}

interface SdkError {
  name?: unknown;
  code?: unknown;
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

function lookupError(
  err: unknown,
  lookup: GlobalWriterLookup,
  name: string,
  who: LookupCredentials['settings'],
  timedOut: boolean,
): RdsIamError {
  // Our own errors pass through: a CredentialsError from the credential source, an EndpointError from writerOf.
  if (err instanceof RdsIamError) return err;
  const where = `DescribeGlobalClusters in ${lookup.homeRegion} (iam_global_region)`;
  const purpose = `looking up the writer region of ${lookup.endpoint}`;
  const skip = "or set iam_region to the writer's region to skip the lookup";
  const { name: errName, code, $metadata } = (typeof err === 'object' && err !== null ? err : {}) as SdkError;
  const kind = typeof errName === 'string' && errName !== 'Error' ? errName : typeof code === 'string' ? code : 'Error';
  const reason = redactFailure(err);
  const attempts =
    $metadata?.attempts === undefined || $metadata.attempts < 2 ? '' : ` (${$metadata.attempts} attempts)`;
  const credentialsError = (message: string) =>
    new CredentialsError(message, {
      source: who.source,
      ...(who.profile === undefined ? {} : { profile: who.profile }),
    });

  if (timedOut) {
    return new EndpointError(
      `${where} did not answer within ${lookup.timeoutMs} ms (connect_timeout_ms), ${purpose}. Check that this host ` +
        `reaches the RDS API (rds.${lookup.homeRegion}.amazonaws.com, or a VPC endpoint named by AWS_ENDPOINT_URL_RDS), ` +
        `raise connect_timeout_ms, ${skip}.`,
    );
  }
  if (ACCESS_DENIED.has(kind) || ($metadata?.httpStatusCode === 403 && !BAD_CREDENTIALS.has(kind))) {
    return credentialsError(
      `${where} was denied (${kind}), ${purpose}: the AWS identity needs ${DESCRIBE_PERMISSION} on ` +
        `arn:aws:rds::<account>:global-cluster:${name}. Grant it, ${skip}. (${reason})`,
    );
  }
  if (BAD_CREDENTIALS.has(kind)) {
    return credentialsError(
      `${where} did not accept the AWS credentials (${kind}), ${purpose}: ${reason}. Check the credential source.`,
    );
  }
  if (kind === 'GlobalClusterNotFoundFault') {
    return new EndpointError(
      `${where} knows no global cluster named ${name} (the first label of ${lookup.endpoint}) in the account of these ` +
        `credentials. Check the host name and the account, ${skip}.`,
    );
  }
  if (THROTTLED.has(kind)) {
    return new EndpointError(
      `${where} was throttled (${kind})${attempts}, ${purpose}. Raise iam_global_ttl_s so fewer lookups are made, ${skip}.`,
    );
  }
  if (UNREACHABLE.has(typeof code === 'string' ? code : kind)) {
    return new EndpointError(
      `Could not reach ${where}${attempts}, ${purpose}: ${reason}. Check that this host reaches the RDS API ` +
        `(rds.${lookup.homeRegion}.amazonaws.com, or a VPC endpoint named by AWS_ENDPOINT_URL_RDS), ${skip}.`,
    );
  }
  return new EndpointError(`${where} failed${attempts}, ${purpose}: ${kind}: ${reason}. Retry, ${skip}.`);
}
