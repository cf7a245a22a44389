import { connect as netConnect, type Socket } from 'node:net';
import { prepare } from '../connect.js';
import { connectPlanFor } from '../drivers/plan.js';
import { nodeTlsOptions, tlsPlanFor, type NodeTlsOptions } from '../drivers/tls.js';
import { RdsIamError } from '../errors.js';
import type { ResolvedConfig } from '../config/resolve.js';
import type { TokenProvider } from '../token/token-provider.js';
import { mergeLibraryOptions, PASSWORD_DEFEATS, type LibraryOptionsInput } from './library-options.js';

type StreamCallback = (err?: Error, stream?: Socket) => void;

/** The `mariadb` pool options rdsiam sets (our own shape: the connector stays optional). */
export interface MariadbPoolOptions {
  host: string;
  port: number;
  user: string;
  database?: string;
  /** Only without an IAM plugin (the DSN's password); with one, each connection's token is set by `stream`. */
  password?: string;
  /** Opens each connection's socket, after setting that connection's current token. */
  stream: (this: unknown, callback?: StreamCallback) => undefined;
  ssl?: NodeTlsOptions;
  connectTimeout: number;
  connectionLimit?: number;
  /** Seconds. */
  idleTimeout?: number;
  minimumIdle?: number;
}

const STREAM_DEFEATS =
  'rdsiam gives each new connection its current IAM token in the `stream` hook; a stream of your own would replace it';

/**
 * The connector has no password function and no auth plugin hook (its mysql_clear_password sends
 * `options.password` as it is). What it does have is the `stream` option, called for every new connection
 * with that connection's own copy of the options as `this`, before the handshake: the token is set there.
 */
function tokenStream(provider: TokenProvider | undefined, host: string, port: number): MariadbPoolOptions['stream'] {
  return function (this: unknown, callback?: StreamCallback) {
    if (!callback || (provider && (typeof this !== 'object' || this === null))) {
      const err = new RdsIamError(
        'This version of the mariadb connector calls the `stream` option without a callback or without the ' +
          'connection options, so rdsiam cannot give the connection a current IAM token. Use mariadb 3.x.',
      );
      if (!callback) throw err;
      return void callback(err);
    }
    const open = () => {
      const socket = netConnect({ host, port });
      socket.setNoDelay(true);
      callback(undefined, socket);
    };
    if (!provider) return void open();
    const connectionOptions = this as object;
    provider.get().then(
      (token) => {
        // Hidden from util.inspect and JSON, like pg's and mysql2's copies in the rdsiam drivers.
        Object.defineProperty(connectionOptions, 'password', {
          value: token.value.reveal(),
          enumerable: false,
          writable: true,
          configurable: true,
        });
        open();
      },
      (err: Error) => callback(err),
    );
  };
}

async function mariadbOptions(
  config: ResolvedConfig,
  provider: TokenProvider | undefined,
): Promise<MariadbPoolOptions> {
  const plan = connectPlanFor(config);
  const tls = await tlsPlanFor(config);
  const { max, idle_timeout_ms } = config.pool;
  return {
    host: plan.host,
    port: plan.port,
    user: plan.user,
    ...(plan.database !== undefined && { database: plan.database }),
    ...(!provider && config.dsn.password !== undefined && { password: config.dsn.password.reveal() }),
    stream: tokenStream(provider, plan.host, plan.port),
    ...(tls && { ssl: await nodeTlsOptions(tls) }),
    connectTimeout: plan.timeoutMs,
    ...(max !== undefined && { connectionLimit: max }),
    // The connector keeps `minimumIdle` (default: every) connection open forever; an idle timeout needs it at 0.
    ...(idle_timeout_ms !== undefined && { idleTimeout: idle_timeout_ms / 1000, minimumIdle: 0 }),
  };
}

/**
 * Options for a `mariadb` connector pool (`mariadb.createPool(options)`, or Prisma's `PrismaMariaDb`) on
 * MySQL: each new connection gets a current token, over TLS verified against the endpoint name. The
 * connector treats a refused login (1045) as final and gives no hook to see it, so there is no retry.
 */
export async function mariadbPoolOptionsFromConfig<T extends object = {}>(
  options: LibraryOptionsInput<T> = {},
): Promise<MariadbPoolOptions & T> {
  const { merge, ...connect } = options;
  const { config, provider } = await prepare(connect, 'mysql', 'mariadbPoolOptionsFromConfig');
  return mergeLibraryOptions('mariadbPoolOptionsFromConfig', await mariadbOptions(config, provider), merge, {
    password: PASSWORD_DEFEATS,
    stream: STREAM_DEFEATS,
  });
}
