import type { Socket } from 'node:net';
import { type SecureContext, TLSSocket } from 'node:tls';
import { startTls } from './client-tls.js';
import { ByteReader } from './byte-reader.js';
import type { CancelMap, UpstreamKey } from './cancel-map.js';
import type { Serve, Session } from './listener.js';
import {
  authentication,
  backendKeyData,
  type ErrorFields,
  errorResponse,
  negotiateProtocolVersion,
  readStartup,
  STARTUP_CODE,
  startupParameters,
} from './pg-messages.js';
import { scramExchange, type ScramVerifier } from './pg-scram.js';
import { cancelUpstream, type PgUpstream } from './pg-upstream.js';
import { relay, type RelayStats } from './relay.js';
import type { UpstreamDial } from './upstream-dial.js';
import { lostUpstream, onUpstreamGone, upstreamFailure } from './upstream-failure.js';

/** What every PostgreSQL session of one listener shares. */
export interface PgService {
  dial: UpstreamDial;
  /** The user the token is for: the only one clients may name. */
  user: string;
  /** The DSN's database, for clients that name none. */
  database: string | undefined;
  /** Signs in upstream with these startup parameters (a refused cached token is replaced and tried once more). */
  open(params: Record<string, string>): Promise<PgUpstream>;
  password: ScramVerifier | undefined;
  /** TLS toward clients; when set, clients must use it. */
  tls: SecureContext | undefined;
  idleTimeoutMs: number | undefined;
  cancels: CancelMap<UpstreamKey>;
}

// ReadyForQuery: 'Z', length 5, then the transaction status. Ending a chunk, it means the backend waits for the client.
const READY_HEAD = Buffer.from([0x5a, 0, 0, 0, 5]);
export const TERMINATE = Buffer.from([0x58, 0, 0, 0, 4]);

export function pgServe(service: PgService): Serve {
  return (socket, session) => servePg(socket, session, service);
}

async function servePg(socket: Socket, session: Session, service: PgService): Promise<RelayStats | undefined> {
  let client: Socket = socket;
  let reader = new ByteReader(socket);
  let startup = await readStartup(reader);
  // A client may ask for TLS, then (libpq, declined) for GSS encryption, before its real first packet.
  while (startup.code === STARTUP_CODE.ssl || startup.code === STARTUP_CODE.gssenc) {
    if (startup.code === STARTUP_CODE.ssl && service.tls && !(client instanceof TLSSocket)) {
      client.write('S');
      // Bytes sent before the TLS handshake would be taken as if they came over TLS (CVE-2021-23214): refuse them.
      if (reader.release().length > 0) return undefined;
      client = await startTls(client, service.tls);
      reader = new ByteReader(client);
    } else {
      client.write('N');
    }
    startup = await readStartup(reader);
  }
  const refuse = (fields: Omit<ErrorFields, 'severity'>): undefined => {
    session.refused(fields.code, fields.message);
    client.end(errorResponse({ severity: 'FATAL', ...fields }));
    return undefined;
  };

  if (startup.code === STARTUP_CODE.cancel) {
    const upstream = service.cancels.lookup(startup.body.readInt32BE(0), startup.body.readInt32BE(4));
    if (upstream) await cancelUpstream(service.dial, upstream.processId, upstream.secretKey).catch(() => {});
    client.end();
    return undefined;
  }
  if (startup.code >> 16 !== 3) {
    return refuse({
      code: '08P01',
      message: `unsupported frontend protocol ${startup.code >> 16}.${startup.code & 0xffff}`,
    });
  }
  if (service.tls && !(client instanceof TLSSocket)) {
    return refuse({ code: '28000', message: 'this rdsiam proxy takes TLS connections only (use sslmode=require)' });
  }
  const params = startupParameters(startup.body);
  const replication = params.get('replication');
  if (replication !== undefined && !/^(false|off|no|0)$/i.test(replication)) {
    return refuse({ code: '0A000', message: 'rdsiam proxy does not serve replication connections' });
  }
  const user = params.get('user');
  if (user !== service.user) {
    return refuse({
      code: '28000',
      message:
        `rdsiam proxy signs in as "${service.user}" only (its IAM token is for that user), not "${user ?? ''}": ` +
        `connect with user ${service.user}`,
    });
  }
  if (!session.admit())
    return refuse({ code: '53300', message: 'sorry, too many clients already (--max-connections)' });

  // Protocol 3.0, without `_pq_.` options: the proxy speaks the version every server since 7.4 does.
  const unsupported = [...params.keys()].filter((name) => name.startsWith('_pq_.'));
  if ((startup.code & 0xffff) !== 0 || unsupported.length > 0) {
    client.write(negotiateProtocolVersion(0, unsupported));
  }
  if (service.password && !(await scramExchange(reader, client, service.password))) {
    return refuse({ code: '28P01', message: `password authentication failed for user "${user}"` });
  }

  const upstreamParams: Record<string, string> = {};
  for (const [name, value] of params)
    if (!name.startsWith('_pq_.') && name !== 'replication') upstreamParams[name] = value;
  if (upstreamParams.database === undefined && service.database !== undefined) {
    upstreamParams.database = service.database;
  }
  const started = Date.now();
  let upstream: PgUpstream;
  try {
    upstream = await service.open(upstreamParams);
  } catch (err) {
    const failure = upstreamFailure(err, service.dial);
    const code = failure.refused ? '28P01' : typeof failure.serverCode === 'string' ? failure.serverCode : '08006';
    return refuse({ code, message: failure.message, hint: failure.hint });
  }
  session.upstreamOpened(Date.now() - started, upstream.token.fingerprint);

  const key = service.cancels.issue({ processId: upstream.processId, secretKey: upstream.secretKey });
  client.write(
    Buffer.concat([
      authentication(0),
      ...upstream.greeting,
      backendKeyData(key.processId, key.secretKey),
      upstream.readyForQuery,
    ]),
  );
  // Whether the backend is running something: then a client that goes away has it cancelled, so that its work and
  // its connection end now rather than when it next writes to the closed socket.
  let busy = false;
  let tail: Buffer = Buffer.alloc(0);
  // Whether what the client got last ends with a ReadyForQuery, a message boundary: then a database that goes without
  // a word of its own (its FATAL at a shutdown would come last) can be reported in the protocol, before the close.
  let atReady = upstream.leftover.length === 0;
  let terminating = false;
  onUpstreamGone(upstream.socket, () => {
    if (!atReady || terminating || client.destroyed || client.writableEnded) return;
    client.write(errorResponse({ severity: 'FATAL', code: '08006', message: lostUpstream(service.dial) }));
  });
  try {
    return await relay(client, upstream.socket, {
      clientLeftover: reader.release(),
      upstreamLeftover: upstream.leftover,
      idleTimeoutMs: service.idleTimeoutMs,
      observe: {
        fromClient: (chunk) => {
          terminating = chunk.subarray(-5).equals(TERMINATE);
          busy = !terminating;
        },
        toClient: (chunk) => {
          tail = chunk.length >= 6 ? chunk.subarray(-6) : Buffer.concat([tail, chunk]).subarray(-6);
          atReady = tail.length === 6 && tail.subarray(0, 5).equals(READY_HEAD);
          if (atReady) busy = false;
        },
      },
      onClientGone: () => {
        if (busy) void cancelUpstream(service.dial, upstream.processId, upstream.secretKey).catch(() => {});
      },
    });
  } finally {
    service.cancels.forget(key.processId);
  }
}
