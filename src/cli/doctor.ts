import { loadConfig } from '../config/load.js';
import { runDoctor } from '../doctor/doctor.js';
import type { DoctorReport } from '../doctor/findings.js';
import { parseOptions } from './args.js';
import { CONFIG_FLAGS, CONFIG_FLAGS_HELP, loadOptions, type CliIo } from './io.js';

export const DOCTOR_HELP = `Usage: rdsiam doctor [--json] [--no-connect] [--connection NAME] [--config FILE]

Finds why an IAM login is refused, and names the one cause it can prove (or ranks the possible ones):
the AWS identity (STS GetCallerIdentity), the clock against AWS's, the database as RDS describes it
(found by its endpoint, IAM authentication on, engine, port, resource id), the rds-db:connect permission
on its exact ARN (IAM SimulatePrincipalPolicy), a TLS handshake, and a login. A lookup it may not make
or a missing SDK client (@aws-sdk/client-sts, client-iam, client-rds) is reported, and the rest goes on.
Prints no token and no secret.

Options:
      --json               print one JSON object: { ok, conclusion, findings }
      --no-connect         make no connection to the database (no TLS handshake, no login)
${CONFIG_FLAGS_HELP}

Exit code: 0 when nothing is wrong, 1 when a finding is an error, 2 when the config itself is invalid.`;

export const DOCTOR_OPTIONS = {
  ...CONFIG_FLAGS,
  json: { type: 'boolean' },
  'no-connect': { type: 'boolean' },
} as const;

function formatText(report: DoctorReport): string {
  const lines: string[] = [];
  for (const f of report.findings) {
    lines.push(`${f.severity.padEnd(7)} ${f.code}: ${f.message}`);
    if (f.fix !== undefined) lines.push(`        fix: ${f.fix.split('\n').join('\n          ')}`);
  }
  lines.push('');
  const c = report.conclusion;
  if (c !== null) {
    lines.push(`Cause: ${c.code}. ${c.message}`);
    if (c.fix !== null) lines.push(`Fix: ${c.fix.split('\n').join('\n  ')}`);
  } else if (report.ok) {
    lines.push('No problem found.');
  } else {
    const errors = report.findings.filter((f) => f.severity === 'error').map((f) => f.code);
    lines.push(`No single cause proven. Possible causes, most likely first: ${errors.join(', ')}.`);
  }
  return `${lines.join('\n')}\n`;
}

export async function doctorCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseOptions({ args, options: DOCTOR_OPTIONS });
  if (values.help) {
    io.out(`${DOCTOR_HELP}\n`);
    return 0;
  }
  const options = loadOptions(io, values);
  const config = await loadConfig(options);
  const report = await runDoctor(config, { ...options, ...io.tokenDeps }, values['no-connect'] !== true);
  io.out(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatText(report));
  return report.ok ? 0 : 1;
}
