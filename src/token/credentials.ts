import { traced } from '../tracing.js';
import type { AwsCredentials, CredentialsProvider } from '../aws-credentials.js';
import { TOKEN_LIFETIME_S } from '../aws-facts.js';
import { DEFAULT_ROLE_SESSION_NAME, type CredentialsSource } from '../config/keys.js';
import type { ResolvedConfig } from '../config/resolve.js';
import { CredentialsError } from '../errors.js';
import { publish } from '../events.js';
import { lazyPackage } from '../optional-package.js';
import { fingerprint, redactFailure } from '../secret.js';
import { getOrCreate, onceFulfilled } from '../single-flight.js';
import { staleRetryAt } from '../stale-retry.js';
import { systemClock } from '../clock.js';
import type { Clock } from '../clock.js';

/** The settings that pick where credentials come from; equal settings share one provider. */
export interface CredentialSettings {
  readonly source: CredentialsSource;
  readonly profile: string | undefined;
  readonly roleArn: string | undefined;
  readonly roleSessionName: string | undefined;
  readonly externalId: string | undefined;
  /** The region STS is called in when a role is assumed. */
  readonly region: string;
  /** A fetch that has not answered after this long fails (the config's `connect_timeout_ms`). */
  readonly timeoutMs: number;
}

export function credentialSettingsOf(config: ResolvedConfig, region: string): CredentialSettings {
  return {
    source: config.aws_credentials_source,
    profile: config.aws_profile,
    roleArn: config.aws_role_arn,
    roleSessionName: config.aws_role_session_name,
    externalId: config.aws_external_id,
    region,
    timeoutMs: config.connect_timeout_ms,
  };
}

interface CredentialsDeps {
  clock?: Clock;
  /** Replaces the SDK provider the settings would build; still cached, coalesced and timed out. */
  credentials?: CredentialsProvider;
}

// A presigned token cannot outlive the credentials that signed it, so credentials are renewed when an RDS token's
// lifetime (15 minutes) remains (or half their life, for short-lived ones).
const REFRESH_BEFORE_MS = TOKEN_LIFETIME_S.iam * 1000;

interface Held {
  readonly credentials: AwsCredentials;
  readonly identity: string;
  readonly expiresAt: number | null;
  refreshAt: number;
}

/** Current credentials with the identity tokens signed by them are cached under. */
export interface CurrentCredentials {
  readonly credentials: AwsCredentials;
  /** A fingerprint of the access key id: distinct credentials never share a token. */
  readonly identity: string;
  /** When the credentials expire (ms epoch), or null for long-term keys. */
  readonly expiresAt: number | null;
}

/**
 * One credential source, shared by every token signed with the same settings: fetched once, kept until close
 * to expiry, concurrent fetches coalesced, a hanging source cut off after `timeoutMs`.
 */
export class SharedCredentials {
  readonly settings: CredentialSettings;
  /** For SDK signers. Ignores `forceRefresh`: renewal timing is decided here, once, for every signer. */
  readonly provider: CredentialsProvider = () => this.current().then((c) => c.credentials);
  readonly #clock: Clock;
  readonly #source: CredentialsProvider;
  #held: Held | undefined;
  readonly #flight = new Map<true, Promise<CurrentCredentials>>();

  constructor(settings: CredentialSettings, deps: CredentialsDeps = {}) {
    this.settings = settings;
    this.#clock = deps.clock ?? systemClock;
    this.#source = deps.credentials ?? sdkProvider(settings);
  }

  current(): Promise<CurrentCredentials> {
    const held = this.#held;
    if (held !== undefined && this.#clock.now() < held.refreshAt) return Promise.resolve(held);
    return getOrCreate(this.#flight, true, () => this.#fetch(), 'none');
  }

  async #fetch(): Promise<CurrentCredentials> {
    const started = this.#clock.now();
    const { source, profile, roleArn } = this.settings;
    try {
      const credentials = await traced(
        'rdsiam:credentials',
        () => ({ source, profile, roleArn }),
        () => withTimeout(this.#source(), this.settings.timeoutMs),
        (c) => ({ accessKeyFingerprint: fingerprint(c.accessKeyId), expiresAt: c.expiration?.getTime() ?? null }),
      );
      if (typeof credentials?.accessKeyId !== 'string' || credentials.accessKeyId === '') {
        throw new Error('the provider returned no access key id');
      }
      const expiresAt = credentials.expiration?.getTime() ?? null;
      if (expiresAt !== null && expiresAt <= this.#clock.now()) {
        throw new Error(`the provider returned credentials that expired at ${new Date(expiresAt).toISOString()}`);
      }
      const refreshAt =
        expiresAt === null ? Infinity : expiresAt - Math.min(REFRESH_BEFORE_MS, Math.max(0, expiresAt - started) / 2);
      const held: Held = { credentials, identity: fingerprint(credentials.accessKeyId), expiresAt, refreshAt };
      this.#held = held;
      publish('rdsiam:credentials:fetched', () => ({
        source,
        profile,
        roleArn,
        durationMs: this.#clock.now() - started,
        expiresAt,
      }));
      return held;
    } catch (err) {
      const error = credentialsError(this.settings, err);
      const now = this.#clock.now();
      const stale = this.#held;
      const servedStale = stale !== undefined && (stale.expiresAt === null || now < stale.expiresAt);
      publish('rdsiam:credentials:failed', () => ({
        source,
        profile,
        roleArn,
        durationMs: now - started,
        error: error.message,
        servedStale,
      }));
      if (!servedStale) throw error;
      stale.refreshAt = staleRetryAt(now);
      return stale;
    }
  }
}

class TimeoutError extends Error {}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`no answer within ${ms} ms (connect_timeout_ms)`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const loadCredentialProviders = lazyPackage(
  (p) => p.credentialProviders(),
  () => import('@aws-sdk/credential-providers'),
);

/**
 * The SDK provider for these settings, loaded on first use (the SDK is large). A failed build (the package could not
 * be loaded) is tried again on the next call.
 */
export function sdkProvider(s: CredentialSettings, build = buildSdkProvider): CredentialsProvider {
  const built = onceFulfilled(() => build(s));
  return async () => (await built())();
}

async function buildSdkProvider(s: CredentialSettings): Promise<CredentialsProvider> {
  const sdk = await loadCredentialProviders();
  const profile = s.profile === undefined ? {} : { profile: s.profile };
  const clientConfig = { region: s.region };
  const base: CredentialsProvider = (() => {
    switch (s.source) {
      case 'chain':
        return sdk.fromNodeProviderChain({ ...profile, clientConfig });
      case 'env':
        return sdk.fromEnv();
      case 'ini':
        return sdk.fromIni({ ...profile, clientConfig });
      case 'process':
        return sdk.fromProcess(profile);
      case 'login':
        // Renews the session through the AWS Sign-In service when it is near expiry (AWS_ENDPOINT_URL_SIGNIN).
        return sdk.fromLoginCredentials({ ...profile, clientConfig });
      case 'container':
        // fromHttp also covers EKS Pod Identity; fromContainerMetadata is the classic ECS path.
        return sdk.createCredentialChain(sdk.fromHttp(), sdk.fromContainerMetadata());
      case 'instance':
        return sdk.fromInstanceMetadata();
      case 'web_identity':
        return sdk.fromTokenFile({ clientConfig });
    }
  })();
  if (s.roleArn === undefined) return base;
  return sdk.fromTemporaryCredentials({
    masterCredentials: base,
    params: {
      RoleArn: s.roleArn,
      RoleSessionName: s.roleSessionName ?? DEFAULT_ROLE_SESSION_NAME,
      ...(s.externalId === undefined ? {} : { ExternalId: s.externalId }),
    },
    clientConfig,
  });
}

const HINTS: Record<CredentialsSource, string> = {
  chain:
    'Set AWS_PROFILE (or aws_profile), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where a container or instance role is available; for an `aws login` profile, run `aws login` again.',
  env: 'Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (plus AWS_SESSION_TOKEN for temporary credentials).',
  ini: 'Check the profile in ~/.aws/credentials and ~/.aws/config (or the files AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE name); for an `aws login` profile, run `aws login` again.',
  process: "Run the profile's credential_process command by hand: it must exit 0 and print Version 1 JSON.",
  login:
    'Run `aws login` (with --profile for a named profile) to start a new session; the profile needs a login_session ' +
    'in ~/.aws/config, and its session is cached under ~/.aws/login/cache.',
  container:
    'Check AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or AWS_CONTAINER_CREDENTIALS_FULL_URI and that the endpoint answers.',
  instance: 'Check that this EC2 instance has an instance profile and that its metadata service (IMDS) is reachable.',
  web_identity: 'Set AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN, and check that the token file is readable.',
};

function credentialsError(s: CredentialSettings, err: unknown): CredentialsError {
  const where = [
    `source ${s.source}`,
    s.profile === undefined ? undefined : `profile ${s.profile}`,
    s.roleArn === undefined ? undefined : `role ${s.roleArn}`,
  ]
    .filter((x) => x !== undefined)
    .join(', ');
  const reason = err instanceof TimeoutError ? `timed out: ${err.message}` : redactFailure(err);
  const hint =
    s.roleArn === undefined ? HINTS[s.source] : `${HINTS[s.source]} Check that these credentials may assume the role.`;
  // The SDK error is not attached as `cause`: exec errors carry the child's stdout and stderr, which may hold keys.
  return new CredentialsError(`Could not get AWS credentials (${where}): ${reason}. ${hint}`, {
    source: s.source,
    ...(s.profile === undefined ? {} : { profile: s.profile }),
  });
}
