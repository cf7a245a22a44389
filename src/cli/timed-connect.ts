import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { connectFromConfig, type ConnectOptions } from '../connect.js';
import type { RdsIamEvents } from '../events.js';

/** Where the time of one `check --connect` went, in milliseconds. */
export interface ConnectTimings {
  credentialsMs: number | null;
  signingMs: number | null;
  /** TCP connect, TLS handshake and the server's startup reply, up to its request for a password. */
  tcpTlsMs: number | null;
  authMs: number | null;
  queryMs: number;
  totalMs: number;
}

interface Closeable {
  query(sql: string): Promise<unknown>;
  end(): Promise<void>;
}

/** Connects as the config says, runs SELECT 1 and closes, timing each stage from rdsiam's own events. */
export async function timedConnect(options: ConnectOptions): Promise<ConnectTimings> {
  let credentials: RdsIamEvents['rdsiam:credentials:fetched'] | undefined;
  let signed: RdsIamEvents['rdsiam:token:signed'] | undefined;
  const onCredentials = (m: unknown) => void (credentials ??= m as typeof credentials);
  const onSigned = (m: unknown) => void (signed ??= m as typeof signed);
  subscribe('rdsiam:credentials:fetched', onCredentials);
  subscribe('rdsiam:token:signed', onSigned);
  const started = Date.now();
  try {
    const conn = (await connectFromConfig(options)) as unknown as Closeable;
    const connected = Date.now();
    try {
      await conn.query('SELECT 1');
    } finally {
      await conn.end();
    }
    const queried = Date.now();
    // Signing starts when the server asks for the password, so it splits the connect in two.
    const signingEnd = signed ? signed.signedAt + signed.durationMs : undefined;
    return {
      credentialsMs: credentials?.durationMs ?? null,
      signingMs: signed ? Math.max(0, signed.durationMs - (credentials?.durationMs ?? 0)) : null,
      tcpTlsMs: signed ? signed.signedAt - started : null,
      authMs: signingEnd === undefined ? null : connected - signingEnd,
      queryMs: queried - connected,
      totalMs: queried - started,
    };
  } finally {
    unsubscribe('rdsiam:credentials:fetched', onCredentials);
    unsubscribe('rdsiam:token:signed', onSigned);
  }
}
