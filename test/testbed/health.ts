import { readFile } from 'node:fs/promises';
import { DsqlSigner } from '@aws-sdk/dsql-signer';
import { Signer } from '@aws-sdk/rds-signer';
import { testbedCodeHash } from './code-hash.js';
import { mysqlOptions, pgOptions } from './connect-options.js';
import type { TestbedState } from './state.js';
import { VerifierClient } from './verifier/client.js';

/**
 * Proves the whole chain works: the verifier answers, and a fresh IAM token logs in to each server
 * over verify-full TLS. Throws, saying which part failed.
 */
export async function checkHealth(state: TestbedState): Promise<void> {
  if (state.codeHash !== (await testbedCodeHash()))
    throw new Error('the test bed code changed since it was started: restart it');
  const health = await new VerifierClient(state.verifier.controlSocket).health();
  if (!health.pamListening) throw new Error('the verifier is running but its PAM socket is closed');
  const ca = await readFile(state.ca, 'utf8');
  const credentials = state.credentials[0];
  if (!credentials) throw new Error('the state file lists no credentials');
  const { default: pg } = await import('pg');
  const mysql = await import('mysql2/promise');

  const pgLogin = async (
    facts: { host: string; port: number; endpoint: string; database: string },
    user: string,
    token: string,
  ) => {
    const client = new pg.Client(pgOptions(ca, facts, user, token));
    await client.connect();
    await client.end();
  };

  const { postgres: p, mysql: m, dsql: d } = state;
  const pgToken = await new Signer({
    hostname: p.endpoint,
    port: p.port,
    username: p.iamUser,
    region: p.region,
    credentials,
  }).getAuthToken();
  await pgLogin(p, p.iamUser, pgToken).catch((e: unknown) => fail('PostgreSQL', e));

  const dsqlToken = await new DsqlSigner({
    hostname: d.endpoint,
    region: d.region,
    credentials,
  }).getDbConnectAdminAuthToken();
  await pgLogin(d, d.adminUser, dsqlToken).catch((e: unknown) => fail('DSQL', e));

  const myToken = await new Signer({
    hostname: m.endpoint,
    port: m.port,
    username: m.iamUser,
    region: m.region,
    credentials,
  }).getAuthToken();
  const conn = await mysql
    .createConnection(mysqlOptions(ca, m, m.iamUser, { token: myToken }))
    .catch((e: unknown) => fail('MariaDB', e));
  await conn.end();
}

function fail(server: string, error: unknown): never {
  throw new Error(`${server}: an IAM login failed: ${error instanceof Error ? error.message : String(error)}`, {
    cause: error,
  });
}
