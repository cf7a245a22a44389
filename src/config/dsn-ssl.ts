import type { Engine, ParsedDsn, SslMode } from './types.js';

/** The TLS query parameters of a DSN, read onto `ssl` and taken out of `params`. */
export interface DsnSsl {
  mode?: SslMode;
  ca?: string;
  /** The parameters as written, e.g. `sslmode=verify-ca`, for messages about conflicts. */
  modeParam?: string;
  caParam?: string;
  /** `dsn.params` without the TLS parameters. */
  params: Record<string, string>;
  problems: string[];
}

const NAMES: Record<Engine, { mode: string; ca: string }> = {
  postgres: { mode: 'sslmode', ca: 'sslrootcert' },
  mysql: { mode: 'ssl-mode', ca: 'ssl-ca' },
};

// libpq's names, and MySQL's (VERIFY_IDENTITY, REQUIRED, ...) read case-insensitively with _ as -.
const MODES: Record<string, SslMode> = {
  'verify-full': 'verify-full',
  'verify-identity': 'verify-full',
  'verify-ca': 'verify-ca',
  require: 'require',
  required: 'require',
  disable: 'disable',
  disabled: 'disable',
};

export function sslFromDsn(dsn: ParsedDsn): DsnSsl {
  const names = NAMES[dsn.engine];
  const { [names.mode]: modeValue, [names.ca]: caValue, ...params } = dsn.params;
  const result: DsnSsl = { params, problems: [] };
  if (modeValue !== undefined) {
    const mode = MODES[dsn.engine === 'mysql' ? modeValue.toLowerCase().replace(/_/g, '-') : modeValue];
    if (mode === undefined) {
      result.problems.push(
        `has ${names.mode}=${modeValue}, which rdsiam does not support; use verify-full, verify-ca, require or disable` +
          (dsn.engine === 'mysql' ? ' (or VERIFY_IDENTITY, VERIFY_CA, REQUIRED, DISABLED)' : ''),
      );
    } else {
      result.mode = mode;
      result.modeParam = `${names.mode}=${modeValue}`;
    }
  }
  if (caValue !== undefined && caValue !== '') {
    result.ca = caValue;
    result.caParam = `${names.ca}=${caValue}`;
  }
  return result;
}
