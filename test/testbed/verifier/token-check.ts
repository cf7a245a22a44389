import { timingSafeEqual } from 'node:crypto';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { KeyPolicy, ServiceRule } from './config.js';

/** Why a login was refused; `ok` when it was not. Stable strings: tests assert on them. */
export type Verdict =
  | 'ok'
  | 'malformed'
  | 'host'
  | 'action'
  | 'user'
  | 'algorithm'
  | 'signed-headers'
  | 'expires-range'
  | 'expired'
  | 'future'
  | 'scope'
  | 'region'
  | 'service'
  | 'unknown-key'
  | 'session-token'
  | 'user-not-allowed'
  | 'too-old'
  | 'signature'
  /** The key is set to make the verifier hang up without answering (a verifier dying mid-login). */
  | 'hang-up';

export interface CheckResult {
  verdict: Verdict;
  detail: string;
  accessKeyId?: string;
  /** The signature as the token states it (the caller fingerprints it; it is never logged whole). */
  signature?: string;
}

/** A token dated this far ahead of our clock is refused, as a server with a sane clock would. */
const CLOCK_SKEW_SECONDS = 60;
/** Parameters SigV4 presigning adds itself; every other parameter is part of what was signed. */
const PRESIGN_PARAMS = new Set([
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-SignedHeaders',
  'X-Amz-Security-Token',
  'X-Amz-Signature',
]);

const refuse = (verdict: Verdict, detail: string, extra: Partial<CheckResult> = {}): CheckResult => ({
  verdict,
  detail,
  ...extra,
});

function parseAmzDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * Decides, as RDS (or DSQL) would, whether `token` lets `user` log in to the server behind `rule`.
 * The signature is recomputed with @smithy/signature-v4 over exactly the parameters the token carries.
 */
export async function checkToken(input: {
  token: string;
  user: string;
  rule: ServiceRule;
  findKey: (accessKeyId: string) => KeyPolicy | undefined;
  now: Date;
}): Promise<CheckResult> {
  const { token, user, rule, now } = input;
  const slash = token.indexOf('/?');
  if (slash <= 0) return refuse('malformed', 'not of the form host[:port]/?query');
  const signedHost = token.slice(0, slash);
  const host = signedHost.toLowerCase();
  const params = new URLSearchParams(token.slice(slash + 2));
  const single = new Map<string, string>();
  for (const [name, value] of params) {
    if (single.has(name)) return refuse('malformed', `parameter ${name} appears twice`);
    single.set(name, value);
  }
  const get = (name: string) => single.get(name);
  const signature = get('X-Amz-Signature');
  // Named in every refusal from here on, so a test can find its own records by key.
  const claimedKey = get('X-Amz-Credential')?.split('/')[0];
  const base = claimedKey === undefined ? { signature } : { signature, accessKeyId: claimedKey };

  if (!rule.hosts.includes(host))
    return refuse('host', `signed for ${host}, this server answers for ${rule.hosts.join(', ')}`, base);

  const action = get('Action');
  if (rule.kind === 'rds') {
    if (action !== 'connect') return refuse('action', `Action=${action ?? '(none)'}, expected connect`, base);
    if (get('DBUser') !== user)
      return refuse('user', `DBUser=${get('DBUser') ?? '(none)'} but logging in as ${user}`, base);
  } else {
    const wanted = user === 'admin' ? 'DbConnectAdmin' : 'DbConnect';
    if (action !== wanted) return refuse('action', `Action=${action ?? '(none)'}, user ${user} needs ${wanted}`, base);
  }
  if (get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256')
    return refuse('algorithm', `X-Amz-Algorithm=${get('X-Amz-Algorithm') ?? '(none)'}`, base);
  if (get('X-Amz-SignedHeaders') !== 'host')
    return refuse('signed-headers', `X-Amz-SignedHeaders=${get('X-Amz-SignedHeaders') ?? '(none)'}`, base);
  if (!signature || !/^[0-9a-f]{64}$/.test(signature))
    return refuse('malformed', 'X-Amz-Signature is not 64 hex digits', base);

  const expiresText = get('X-Amz-Expires') ?? '';
  const expires = /^\d{1,6}$/.test(expiresText) ? Number(expiresText) : NaN;
  const maxExpires = rule.kind === 'dsql' ? 604800 : 900;
  if (!(expires >= 1 && expires <= maxExpires))
    return refuse('expires-range', `X-Amz-Expires=${expiresText} is not 1-${maxExpires}`, base);

  const amzDate = get('X-Amz-Date') ?? '';
  const signedAt = parseAmzDate(amzDate);
  if (!signedAt) return refuse('malformed', `X-Amz-Date=${amzDate} is not yyyymmddThhmmssZ`, base);
  const offsetMs = (claimedKey === undefined ? undefined : input.findKey(claimedKey)?.clockOffsetMs) ?? 0;
  const ageSeconds = (now.getTime() + offsetMs - signedAt.getTime()) / 1000;
  if (ageSeconds < -CLOCK_SKEW_SECONDS)
    return refuse('future', `signed ${Math.round(-ageSeconds)} s in the future`, base);
  if (ageSeconds > expires)
    return refuse('expired', `signed ${Math.round(ageSeconds)} s ago, valid for ${expires} s`, base);

  const scope = (get('X-Amz-Credential') ?? '').split('/');
  if (scope.length !== 5)
    return refuse('malformed', 'X-Amz-Credential is not key/date/region/service/aws4_request', base);
  const [accessKeyId, scopeDate, region, service, terminator] = scope as [string, string, string, string, string];
  const withKey = { signature, accessKeyId };
  if (scopeDate !== amzDate.slice(0, 8) || terminator !== 'aws4_request')
    return refuse(
      'scope',
      `credential scope ${scopeDate}/…/${terminator} does not match X-Amz-Date ${amzDate}`,
      withKey,
    );
  const key = input.findKey(accessKeyId);
  // A key's own region stands in for the server's: a test moves "its" writer to another region without
  // disturbing tests that run in parallel.
  const serverRegion = key?.region ?? rule.region;
  if (region !== serverRegion)
    return refuse('region', `signed for region ${region}, server is in ${serverRegion}`, withKey);
  const wantedService = rule.kind === 'dsql' ? 'dsql' : 'rds-db';
  if (service !== wantedService)
    return refuse('service', `signed for service ${service}, expected ${wantedService}`, withKey);

  if (!key) return refuse('unknown-key', `access key ${accessKeyId} is not known`, withKey);
  if (key.hangUp) return refuse('hang-up', 'key is set to hang up without an answer', withKey);
  if ((key.sessionToken ?? undefined) !== get('X-Amz-Security-Token'))
    return refuse(
      'session-token',
      key.sessionToken ? 'X-Amz-Security-Token missing or wrong' : 'unexpected X-Amz-Security-Token',
      withKey,
    );
  if (key.users && !key.users.includes(user))
    return refuse('user-not-allowed', `key may not log in as ${user}`, withKey);
  if (key.maxTokenAgeSeconds !== undefined && ageSeconds > key.maxTokenAgeSeconds)
    return refuse('too-old', `signed ${Math.round(ageSeconds)} s ago, key allows ${key.maxTokenAgeSeconds} s`, withKey);

  const query: Record<string, string> = {};
  for (const [name, value] of single) if (!PRESIGN_PARAMS.has(name)) query[name] = value;
  const colon = signedHost.lastIndexOf(':');
  const signer = new SignatureV4({
    service: wantedService,
    region,
    sha256: Sha256,
    credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey, sessionToken: key.sessionToken },
  });
  const expected = await signer.presign(
    {
      method: 'GET',
      protocol: 'https:',
      hostname: colon > 0 ? signedHost.slice(0, colon) : signedHost,
      port: colon > 0 ? Number(signedHost.slice(colon + 1)) : undefined,
      path: '/',
      query,
      headers: { host: signedHost },
    },
    { signingDate: signedAt, expiresIn: expires },
  );
  const recomputed = Buffer.from(String(expected.query?.['X-Amz-Signature']), 'hex');
  if (!timingSafeEqual(recomputed, Buffer.from(signature, 'hex')))
    return refuse('signature', 'signature does not match', withKey);
  return { verdict: 'ok', detail: `valid for ${user}`, ...withKey };
}
