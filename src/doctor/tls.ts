// TLS: a handshake only, no login: does the configured CA verify the certificate, for the name the token is signed
// for? PostgreSQL and MySQL both start in clear text and switch to TLS when the client asks, so this asks as they do.
import { connect as netConnect, type Socket } from 'node:net';
import type { ResolvedConfig } from '../config/resolve.js';
import { connectPlanFor } from '../drivers/plan.js';
import { nodeTlsOptions, tlsPlanFor } from '../drivers/tls.js';
import { redactFailure } from '../secret.js';
import { finding, type Finding } from './findings.js';

// PostgreSQL's SSLRequest: length 8, code 80877103.
const PG_SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);
// MySQL capability flags: LONG_PASSWORD, PROTOCOL_41, SSL, SECURE_CONNECTION, PLUGIN_AUTH.
const MYSQL_CLIENT_FLAGS = 0x1 | 0x200 | 0x800 | 0x8000 | 0x80000;
const MYSQL_SERVER_SSL = 0x800;

/** The finding of one TLS handshake with the database (none when TLS is off or not verified). */
export async function checkTls(config: ResolvedConfig): Promise<Finding[]> {
  const plan = await tlsPlanFor(config);
  if (plan === undefined || !plan.rejectUnauthorized) return [];
  const { host, port, timeoutMs } = connectPlanFor(config);
  const name = plan.verifyName ?? '(chain only: ssl.mode verify-ca)';
  let socket: Socket | undefined;
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(
      () => reject(new Error(`no TLS handshake within ${timeoutMs} ms (connect_timeout_ms)`)),
      timeoutMs,
    ).unref(),
  );
  try {
    socket = await Promise.race([openSocket(host, port), timeout]);
    await Promise.race([askForTls(socket, config.dsn.engine), timeout]);
    const { connect } = await import('node:tls');
    const options = await nodeTlsOptions(plan);
    const secure = connect({ ...options, socket });
    try {
      await Promise.race([
        new Promise<void>((resolve, reject) => {
          secure.once('secureConnect', resolve);
          secure.once('error', reject);
        }),
        timeout,
      ]);
    } finally {
      secure.destroy();
    }
    return [
      finding(
        'tls-verified',
        'info',
        `The certificate of ${host}:${port} verifies with the configured CA for ${name}.`,
      ),
    ];
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && /CERT|SELF_SIGNED|UNABLE_TO|ERR_TLS|LEAF|ISSUER/.test(code)) {
      return [
        finding(
          'tls-untrusted',
          'error',
          `The certificate of ${host}:${port} does not verify for ${name}: ${code} (${redactFailure(err)}).`,
          {
            fix:
              'Use the CA that signed the server certificate (ssl.ca; the Amazon RDS bundle by default), and name the ' +
              'endpoint the certificate is for (iam_host or ssl.servername) when connecting through a tunnel or an IP.',
          },
        ),
      ];
    }
    return [
      finding(
        'database-unreachable',
        'error',
        `Could not reach ${host}:${port} for a TLS handshake: ${redactFailure(err)}.`,
        {
          fix: 'Check that the database is reachable from here (VPC, security group, tunnel) and that the DSN host and port are right.',
        },
      ),
    ];
  } finally {
    socket?.destroy();
  }
}

function openSocket(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host, port });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Reads exactly `n` bytes, or the first packet of at least `n`, from a socket in clear text. */
function readBytes(socket: Socket, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let got = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      got = Buffer.concat([got, chunk]);
      if (got.length < n) return;
      socket.off('data', onData);
      socket.off('error', reject);
      socket.off('end', onEnd);
      socket.pause();
      resolve(got);
    };
    const onEnd = () => reject(new Error('the server closed the connection before TLS'));
    socket.on('data', onData);
    socket.once('error', reject);
    socket.once('end', onEnd);
  });
}

async function askForTls(socket: Socket, engine: 'postgres' | 'mysql'): Promise<void> {
  if (engine === 'postgres') {
    socket.write(PG_SSL_REQUEST);
    const answer = await readBytes(socket, 1);
    if (answer[0] !== 0x53) throw new Error('the server does not offer TLS (it answered the SSLRequest with N)');
    return;
  }
  // The server's greeting: a 4-byte header, then protocol version, version string, thread id, 8 bytes of scramble,
  // a filler byte, and the low two bytes of its capability flags.
  const header = await readBytes(socket, 4);
  const length = header.readUIntLE(0, 3);
  const greeting =
    header.length >= 4 + length ? header : Buffer.concat([header, await readBytes(socket, 4 + length - header.length)]);
  const payload = greeting.subarray(4, 4 + length);
  if (payload[0] === 0xff)
    throw new Error(`the server refused the connection: ${payload.subarray(3).toString('utf8')}`);
  const versionEnd = payload.indexOf(0, 1);
  const flags = payload.readUInt16LE(versionEnd + 1 + 4 + 8 + 1);
  if ((flags & MYSQL_SERVER_SSL) === 0) throw new Error('the server does not offer TLS');
  // SSLRequest: flags, max packet size, utf8mb4, 23 zero bytes; sequence number 1.
  const request = Buffer.alloc(4 + 32);
  request.writeUIntLE(32, 0, 3);
  request[3] = 1;
  request.writeUInt32LE(MYSQL_CLIENT_FLAGS, 4);
  request.writeUInt32LE(0x1000000, 8);
  request[12] = 45;
  socket.write(request);
}
