import { describeSearch } from '../config/file.js';
import { loadConfig } from '../config/load.js';
import type { ResolvedConfig } from '../config/resolve.js';
import { tokenProviderFor } from '../token/token-provider.js';
import { AuthError, CredentialsError, ThrottledError, UnavailableError } from '../errors.js';
import { ridesThroughResume, SERVERLESS_RESUME_MS } from '../drivers/connect-retry.js';
import { scrub } from '../secret.js';
import { explain, type Explanation } from './explain.js';
import { timedConnect, type ConnectTimings } from './timed-connect.js';
import { CONFIG_FLAGS, CONFIG_FLAGS_HELP, loadOptions, type CliIo } from './io.js';
import { parseOptions } from './args.js';

export const CHECK_HELP = `Usage: rdsiam check [--connect] [--json] [--connection NAME] [--config FILE]

Explains how the config resolves, without printing any secret: the file loaded (or where the search
looked), every key with its value and where it came from, the endpoint, the token target, the
credential source, the TLS settings, and each problem found with what to do about it. Makes no
network call unless --connect is given.

Options:
      --connect            also look up a global database endpoint's writer region (DescribeGlobalClusters),
                           connect, run SELECT 1, and time credentials, signing, TCP+TLS and auth
      --json               print one JSON object instead of text
${CONFIG_FLAGS_HELP}

Exit code: 0 when no problem was found, 1 when one was, 2 when the config itself is invalid, or its file is
refused because another user could have written it (the message says why and what to do).`;

export const CHECK_OPTIONS = { ...CONFIG_FLAGS, connect: { type: 'boolean' }, json: { type: 'boolean' } } as const;

type Report = Explanation & {
  retries: { timeoutMs: number; budgetMs: number; ridesThroughServerlessResume: boolean };
  connect?: { ok: boolean; timings?: ConnectTimings };
};

/** What to do about a failed connect, by error type; the error's own text comes first. */
function connectProblem(err: unknown): string {
  const message = scrub(err instanceof Error ? err.message : String(err));
  const typed = [AuthError, CredentialsError, UnavailableError, ThrottledError];
  if (typed.some((type) => err instanceof type)) return message;
  const code = (err as { code?: unknown }).code;
  if (code === 'ECONNREFUSED' || code === 'ETIMEDOUT' || /timeout/i.test(message)) {
    return `${message}. Is the database reachable from here (VPC, security group, tunnel)? Raise connect_timeout_ms if it is slow.`;
  }
  if (/certificate|self[- ]signed|altnames|Hostname\/IP/i.test(message)) {
    return `${message}. The server certificate did not verify: check ssl.ca (the RDS CA bundle by default) and that iam_host or ssl.servername names the endpoint.`;
  }
  return message;
}

function ms(value: number | null): string {
  return value === null ? '-' : `${value} ms`;
}

function formatText(r: Report, env: Record<string, string | undefined>): string {
  const lines: string[] = [];
  lines.push(`connection: ${r.connection}${r.connections.length > 1 ? ` (defined: ${r.connections.join(', ')})` : ''}`);
  lines.push(
    r.configFile
      ? `config file: ${r.configFile}`
      : `config file: none found searching ${r.searchedFrom === null ? '(explicit)' : describeSearch(r.searchedFrom, env)} for ${r.searchPlaces}; using env and code only`,
  );
  lines.push('', 'keys:');
  const width = Math.max(...r.keys.map((k) => k.key.length));
  for (const k of r.keys) lines.push(`  ${k.key.padEnd(width)}  ${k.value}  (${k.source})`);
  const e = r.endpoint;
  lines.push('', `endpoint (${e.from === 'dsn' ? 'DSN host' : e.from}): ${e.host}`);
  lines.push(`  kind ${e.kind}, partition ${e.partition ?? 'unknown'}, region ${e.region ?? 'unknown'}`);
  if (r.target) {
    const t = r.target;
    const where = t.region ?? "the writer's region, looked up when connecting";
    lines.push('', `token target: ${t.plugin} ${t.user}@${t.host}:${t.port} in ${where}`);
    if (t.lookup === null)
      lines.push(`  region from ${t.regionFrom === 'iam_region' ? 'iam_region' : 'the host name'}`);
    else {
      lines.push(
        `  region from ${t.lookup.api} in ${t.lookup.homeRegion} (the global database's writer), reused ${t.lookup.ttlS} s;`,
        `  needs IAM permission ${t.lookup.permission}${t.region === null ? '; `rdsiam check --connect` looks it up now' : ''}`,
      );
    }
  }
  lines.push('', `credentials: ${r.credentials.source}`, `  ${r.credentials.identity}`);
  lines.push(
    '',
    `tls: ${r.tls.mode}`,
    `  CA: ${r.tls.ca}`,
    `  certificate must name: ${r.tls.verifyName ?? '(not checked)'}`,
  );
  const { timeoutMs, budgetMs, ridesThroughServerlessResume: rides } = r.retries;
  lines.push(
    '',
    `connect retries: each attempt ${timeoutMs} ms (connect_timeout_ms), retried within ${budgetMs} ms (connect_retry_budget_ms)`,
    rides
      ? `  outlasts a paused Aurora Serverless v2 instance's resume (about ${SERVERLESS_RESUME_MS / 1000} s)`
      : `  too short for a paused Aurora Serverless v2 instance's resume (about ${SERVERLESS_RESUME_MS / 1000} s): ` +
          `connect_timeout_ms + connect_retry_budget_ms must exceed ${SERVERLESS_RESUME_MS} ms`,
  );
  if (r.connect) {
    lines.push('', `connect: ${r.connect.ok ? 'ok, SELECT 1 answered' : 'failed'}`);
    const t = r.connect.timings;
    if (t) {
      lines.push(
        `  credentials ${ms(t.credentialsMs)}, signing ${ms(t.signingMs)}, TCP+TLS ${ms(t.tcpTlsMs)}, auth ${ms(t.authMs)}, query ${ms(t.queryMs)}, total ${ms(t.totalMs)}`,
      );
    }
  }
  lines.push('');
  if (r.problems.length === 0) lines.push('no problems found');
  else {
    lines.push(`${r.problems.length} problem${r.problems.length > 1 ? 's' : ''}:`);
    for (const p of r.problems) lines.push(`  ${p.severity} [${p.stage}]: ${p.message.split('\n').join('\n    ')}`);
  }
  return `${lines.join('\n')}\n`;
}

/** With --connect, a global endpoint's writer region is looked up first, so the report shows it even if the connect fails. */
async function lookUpRegion(report: Report, config: ResolvedConfig): Promise<void> {
  if (report.target?.lookup == null) return;
  try {
    report.target.region = (await tokenProviderFor(config).target()).region;
  } catch (err) {
    report.problems.push({
      stage: 'endpoint',
      severity: 'error',
      message: scrub(err instanceof Error ? err.message : String(err)),
    });
  }
}

export async function checkCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseOptions({ args, options: CHECK_OPTIONS });
  if (values.help) {
    io.out(`${CHECK_HELP}\n`);
    return 0;
  }
  const options = loadOptions(io, values);
  const config = await loadConfig(options);
  const report: Report = {
    ...(await explain(config, io.env)),
    retries: {
      timeoutMs: config.connect_timeout_ms,
      budgetMs: config.connect_retry_budget_ms,
      ridesThroughServerlessResume: ridesThroughResume(config),
    },
  };
  const clean = () => report.problems.every((p) => p.severity !== 'error');
  if (values.connect && clean()) await lookUpRegion(report, config);
  if (values.connect && clean()) {
    try {
      report.connect = { ok: true, timings: await timedConnect(options) };
    } catch (err) {
      report.connect = { ok: false };
      report.problems.push({ stage: 'connect', severity: 'error', message: connectProblem(err) });
    }
  }
  io.out(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatText(report, io.env));
  return report.problems.some((p) => p.severity === 'error') ? 1 : 0;
}
