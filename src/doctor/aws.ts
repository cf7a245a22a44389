// The AWS calls `rdsiam doctor` and `rdsiam policy` make, each through the SDK's own client, loaded when first used.
// A call never throws: what it could not learn is a finding (denied, package missing, failed), and the caller goes on.
import type { IAMClient } from '@aws-sdk/client-iam';
import type { RDSClient } from '@aws-sdk/client-rds';
import type { STSClient } from '@aws-sdk/client-sts';
import { ACCESS_DENIED, BAD_CREDENTIALS } from '../endpoint/describe-global-clusters.js';
import { CredentialsError, MissingPackageError } from '../errors.js';
import { lazyPackage, missingPackage } from '../optional-package.js';
import { redactFailure } from '../secret.js';
import type { CredentialsProvider } from '../aws-credentials.js';
import { finding, type Finding, type FindingCode } from './findings.js';

const WHY = 'for `rdsiam doctor` and `rdsiam policy` to look it up';

const LOADERS = {
  sts: lazyPackage(
    (p) => p.clientSts(),
    () => import('@aws-sdk/client-sts').catch(missingPackage('@aws-sdk/client-sts', WHY)),
  ),
  iam: lazyPackage(
    (p) => p.clientIam(),
    () => import('@aws-sdk/client-iam').catch(missingPackage('@aws-sdk/client-iam', WHY)),
  ),
  rds: lazyPackage(
    (p) => p.clientRds(),
    () => import('@aws-sdk/client-rds').catch(missingPackage('@aws-sdk/client-rds', WHY)),
  ),
};

type Service = keyof typeof LOADERS;
export type Sdk<S extends Service> = Awaited<ReturnType<(typeof LOADERS)[S]>>;
interface Clients {
  sts: STSClient;
  iam: IAMClient;
  rds: RDSClient;
}

/** What a lookup gave: its value, or the finding that says why there is none. */
export type Lookup<T> = { ok: true; value: T } | { ok: false; finding: Finding };

/** One AWS API call: the service, the region it is made in, its action, and what it is for. */
export interface Call<S extends Service, T> {
  service: S;
  region: string;
  /** The IAM action, e.g. `rds:DescribeDBClusters`: named when it is denied. */
  permission: string;
  /** What a denial leaves unchecked. */
  unchecked: FindingCode[];
  run(sdk: Sdk<S>, client: Clients[S], signal: AbortSignal): Promise<T>;
}

/** The local time and the server's `Date` header of one AWS response. */
export interface ServerDate {
  service: Service;
  localMs: number;
  serverMs: number;
}

interface HttpResult {
  response?: { headers?: Record<string, string | undefined> };
}

/** The AWS calls of one doctor run: one credentials source, one timeout, and the server clock every answer showed. */
export class AwsLookups {
  readonly dates: ServerDate[] = [];
  readonly #credentials: CredentialsProvider;
  readonly #timeoutMs: number;
  readonly #missing = new Set<string>();

  constructor(credentials: CredentialsProvider, timeoutMs: number) {
    this.#credentials = credentials;
    this.#timeoutMs = timeoutMs;
  }

  async call<S extends Service, T>(call: Call<S, T>): Promise<Lookup<T>> {
    let sdk: Sdk<S>;
    try {
      sdk = (await LOADERS[call.service]()) as Sdk<S>;
    } catch (err) {
      return { ok: false, finding: this.#loadFailure(call, err) };
    }
    const client = this.#client(call.service, sdk, call.region);
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), this.#timeoutMs);
    try {
      return { ok: true, value: await call.run(sdk, client, abort.signal) };
    } catch (err) {
      return { ok: false, finding: this.#callFailure(call, err, abort.signal.aborted) };
    } finally {
      clearTimeout(timer);
      client.destroy();
    }
  }

  #client<S extends Service>(service: S, sdk: Sdk<S>, region: string): Clients[S] {
    const config = { region, credentials: this.#credentials, maxAttempts: 2 };
    const client = (
      service === 'sts'
        ? new (sdk as Sdk<'sts'>).STSClient(config)
        : service === 'iam'
          ? new (sdk as Sdk<'iam'>).IAMClient(config)
          : new (sdk as Sdk<'rds'>).RDSClient(config)
    ) as Clients[S];
    // Innermost, next to the HTTP handler: it sees every raw response, an error's too, before it is parsed.
    (client as STSClient).middlewareStack.add(
      (next) => async (args) => {
        const result = await next(args);
        const date = (result as HttpResult).response?.headers?.['date'];
        const serverMs = date === undefined ? Number.NaN : Date.parse(date);
        if (!Number.isNaN(serverMs)) this.dates.push({ service, localMs: Date.now(), serverMs });
        return result;
      },
      { step: 'deserialize', priority: 'low', name: 'rdsiamServerDate' },
    );
    return client;
  }

  #loadFailure(call: Call<Service, unknown>, err: unknown): Finding {
    if (err instanceof MissingPackageError) {
      const first = !this.#missing.has(err.packageName);
      this.#missing.add(err.packageName);
      return finding(
        'package-missing',
        first ? 'warning' : 'info',
        `${err.packageName} is not installed, so ${call.permission.split(':')[1]} was not called: ${listOf(call.unchecked)} not checked.`,
        {
          fix: `npm install ${err.packageName}`,
          package: err.packageName,
          unchecked: call.unchecked,
        },
      );
    }
    return failed(call, redactFailure(err));
  }

  #callFailure(call: Call<Service, unknown>, err: unknown, timedOut: boolean): Finding {
    if (err instanceof CredentialsError) {
      return finding('credentials-failed', 'error', err.message, {
        fix: 'Fix the credential source; `rdsiam check` shows which one the config picks.',
      });
    }
    if (timedOut) return failed(call, `no answer within ${this.#timeoutMs} ms (connect_timeout_ms)`);
    const { name, $metadata } = (typeof err === 'object' && err !== null ? err : {}) as {
      name?: unknown;
      $metadata?: { httpStatusCode?: number };
    };
    const kind = typeof name === 'string' ? name : 'Error';
    if (BAD_CREDENTIALS.has(kind)) {
      return finding(
        'credentials-failed',
        'error',
        `AWS did not accept the credentials (${kind}) when calling ${call.permission}: ${redactFailure(err)}.`,
        { fix: 'Check the credential source: expired or revoked keys, or a clock far off (see clock-skew).' },
      );
    }
    if (ACCESS_DENIED.has(kind) || $metadata?.httpStatusCode === 403) {
      return finding(
        'lookup-denied',
        'warning',
        `${call.permission} was denied (${kind}), so ${listOf(call.unchecked)} could not be checked.`,
        {
          fix: `Allow ${call.permission} to this identity for the check, or run the doctor as an identity that has it.`,
          permission: call.permission,
          unchecked: call.unchecked,
        },
      );
    }
    return failed(call, `${kind}: ${redactFailure(err)}`);
  }
}

function failed(call: Call<Service, unknown>, reason: string): Finding {
  return finding(
    'lookup-failed',
    'warning',
    `${call.permission} failed (${reason}), so ${listOf(call.unchecked)} could not be checked.`,
    { permission: call.permission, unchecked: call.unchecked },
  );
}

function listOf(codes: readonly string[]): string {
  return codes.length === 0 ? 'nothing more' : codes.join(', ');
}
