import { RECOVERY_BOUND_MS, type SoakSummary } from './soak.js';

/** What the soak promises, as a list of broken promises (none when it held). */
export function soakProblems(s: SoakSummary): string[] {
  const problems: string[] = [];
  if (s.lost > 0) problems.push(`${s.lost} acknowledged commits lost`);
  if (s.duplicated > 0) problems.push(`${s.duplicated} rows applied twice`);
  for (const u of s.untypedFailures) problems.push(`a failure neither typed nor coded: ${u}`);
  for (const [cause, message] of Object.entries(s.messages))
    if (/X-Amz-(Signature|Credential|Security-Token)/i.test(message))
      problems.push(`a token in the message of ${cause}`);
  for (const r of s.unhandledRejections) problems.push(`unhandled rejection: ${r}`);
  for (const e of s.uncaughtExceptions) problems.push(`uncaught exception: ${e}`);
  for (const engine of ['postgres', 'mysql'] as const)
    if (s.acknowledged[engine] === 0) problems.push(`no ${engine} commit was acknowledged`);
  // A new connection rides through restarts within connect_retry_budget_ms; only a verifier that is down (every
  // login refused: an AuthError) may fail one.
  for (const [cause, count] of Object.entries(s.failures)) {
    const [, phase, name] = cause.split(' ');
    if (phase === 'connect' && name !== 'AuthError') problems.push(`${count} new connections failed: ${cause}`);
  }
  for (const f of s.faults) {
    for (const [engine, ms] of Object.entries(f.recoveredMs))
      if (ms === null || ms > RECOVERY_BOUND_MS)
        problems.push(`${engine} did not serve within ${RECOVERY_BOUND_MS} ms after "${f.fault}" (${ms ?? 'never'})`);
  }
  if (s.staleTokenRefusals === 0) problems.push('no cached token was refused: the refused-login fault did not happen');
  if (s.tokenRetries === 0) problems.push('a refused cached token was not retried');
  return problems;
}
