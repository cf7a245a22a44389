// `rdsiam doctor`: every check that needs no database, then a TLS handshake and a login, then the verdict.
import type { ConnectOptions } from '../connect.js';
import type { ResolvedConfig } from '../config/resolve.js';
import { describeOrigin, EndpointError } from '../errors.js';
import { planTokenTarget, type TargetPlan } from '../endpoint/target.js';
import { clockFindings } from './clock.js';
import { conclude } from './conclude.js';
import { finding, type DoctorReport, type Finding } from './findings.js';
import { tryLogin } from './login.js';
import { simulatePermission } from './permission.js';
import { connectPermission, lookUpResource, type ResourceFacts } from './resource.js';
import { grantSql } from './sql.js';
import { checkTls } from './tls.js';

/** Runs the doctor for a loaded config; `connect: false` leaves out the TLS handshake and the login. */
export async function runDoctor(
  config: ResolvedConfig,
  options: ConnectOptions,
  connect: boolean,
): Promise<DoctorReport> {
  let plan: TargetPlan;
  try {
    plan = planTokenTarget(config);
  } catch (err) {
    if (!(err instanceof EndpointError)) throw err;
    return conclude([finding('endpoint-invalid', 'error', err.message)]);
  }
  const findings: Finding[] = [...regionFindings(config, plan)];
  const facts = await lookUpResource(config, plan, options.credentials);
  findings.push(...facts.findings);
  const allowed = await permissionFindings(facts);
  findings.push(...allowed);
  findings.push(...clockFindings(facts.aws.dates));

  if (connect && facts.target !== null) {
    const tls = await checkTls(config);
    findings.push(...tls);
    if (!tls.some((f) => f.severity === 'error')) {
      const t = facts.target;
      const login = await tryLogin(options, t.engine, `${t.host}:${t.port}`);
      findings.push(...login);
      // Everything AWS-side checked and right, and still refused: what is left is the database user.
      const awsSideRight =
        facts.identity !== null &&
        (facts.database !== null || t.plugin === 'iam_dsql') &&
        allowed.some((f) => f.code === 'permission-allowed') &&
        !findings.some((f) => f.severity === 'error' && f.code !== 'login-refused');
      if (login.some((f) => f.code === 'login-refused') && awsSideRight) {
        const sql = grantSql({
          plugin: t.plugin,
          engine: t.engine,
          user: t.user,
          roleArn: facts.identity?.principalArn ?? '<role-arn>',
        });
        findings.push(
          finding(
            'db-user-not-iam',
            'error',
            `Every AWS-side check passed (identity, database, IAM authentication, permission, clock), yet the database ` +
              `refused the token: the database user "${t.user}" is not set up for IAM authentication.`,
            { fix: `As an administrator of the database, run:\n${sql.join('\n')}`, sql },
          ),
        );
      }
    }
  }
  return conclude(findings);
}

/** An iam_region that disagrees with the region the endpoint's name says: the token is signed for the wrong one. */
function regionFindings(config: ResolvedConfig, plan: TargetPlan): Finding[] {
  if (plan.kind !== 'fixed' || plan.target.regionFrom !== 'iam_region') return [];
  const named = plan.target.endpoint.region;
  if (named === null || named === plan.target.region) return [];
  const origin = config.origins['iam_region'];
  return [
    finding(
      'region-mismatch',
      'error',
      `Tokens are signed for region ${plan.target.region} (iam_region${origin ? `, from ${describeOrigin(origin)}` : ''}), ` +
        `but ${plan.target.host} is in ${named}: the database refuses a token signed for another region.`,
      { fix: `Remove iam_region (the host names the region), or set it to ${named}.` },
    ),
  ];
}

/** Simulates the login's permission, when the identity and the resource are known; says what it cannot see. */
async function permissionFindings(facts: ResourceFacts): Promise<Finding[]> {
  const { identity, target } = facts;
  if (identity === null || target === null) return [];
  const permission = connectPermission(facts, target);
  if (!permission.complete) return [];
  if (identity.principalArn === null || identity.notSimulated !== null) {
    return [
      finding(
        'not-simulated',
        'warning',
        `${permission.action} on ${permission.resource} cannot be simulated for ${identity.arn}: ${identity.notSimulated}.`,
        { resource: permission.resource, unchecked: ['permission-denied'] },
      ),
    ];
  }
  const simulated = await simulatePermission(facts.aws, {
    principalArn: identity.principalArn,
    action: permission.action,
    resource: permission.resource,
    region: target.region,
  });
  const dbAccount = facts.database?.account;
  const crossAccount =
    dbAccount !== undefined && dbAccount !== '' && dbAccount !== identity.account
      ? ` The database is in account ${dbAccount}, the identity in ${identity.account}: IAM database authentication needs an identity of the database's account (assume a role there with aws_role_arn).`
      : '';
  simulated.push(
    finding(
      'not-simulated',
      'info',
      `The simulation sees ${identity.principalArn}'s own policies, and the permissions boundary and service control ` +
        'policies that IAM shows to this account. It cannot see the session policy a role was assumed with, nor SCPs ' +
        `hidden from this account.${crossAccount}`,
    ),
  );
  return simulated;
}
