import { ConfigError, type ConfigIssue } from '../errors.js';
import type { ConnectOptions } from '../connect.js';
import { isPlainObject } from '../plain-object.js';

/** What each library builder takes: where the config comes from, plus the library's own options. */
export interface LibraryOptionsInput<T extends object> extends ConnectOptions {
  /**
   * The library's own options (entities, logging, ...), merged into the ones rdsiam builds. A key that
   * would keep new connections from getting a current token (a fixed password, a URL) is a ConfigError,
   * and so is a different value for a key rdsiam sets: set those in the rdsiam config instead.
   */
  merge?: T;
}

export const PASSWORD_DEFEATS =
  'a fixed password would be sent by every new connection in place of a current IAM token; once a token ' +
  'would have expired (15 minutes) the pool could open no more connections. Remove it: rdsiam gives each ' +
  'new connection a current token';
export const URL_DEFEATS =
  'a connection URL replaces the host, user and password rdsiam sets, so new connections would not get a ' +
  'current IAM token. Remove it and put the DSN in the rdsiam config';
export const AUTH_PLUGIN_DEFEATS =
  'this replaces the mysql_clear_password plugin through which rdsiam sends each new connection a current ' +
  'IAM token. Remove it';

export const REPLICAS_DEFEAT =
  'replicas configured here would connect with no IAM token from rdsiam. Build one set of options per rdsiam ' +
  'connection instead (or, with Sequelize, name them in `readers`)';

/** Keys of the library's options that would defeat token renewal, by dotted path, with why. */
type Defeaters = Readonly<Record<string, string>>;

function collectIssues(
  ours: Record<string, unknown>,
  theirs: Record<string, unknown>,
  defeaters: Defeaters,
  prefix: string,
  issues: ConfigIssue[],
): void {
  for (const [key, value] of Object.entries(theirs)) {
    if (value === undefined) continue;
    const path = `${prefix}${key}`;
    const why = defeaters[path];
    const mine = ours[key];
    if (why !== undefined) {
      issues.push({ path: `merge.${path}`, origin: { kind: 'code' }, message: why });
    } else if (isPlainObject(mine) && isPlainObject(value)) {
      collectIssues(mine, value, defeaters, `${path}.`, issues);
    } else if (mine !== undefined && !Object.is(mine, value)) {
      issues.push({
        path: `merge.${path}`,
        origin: { kind: 'code' },
        message: 'rdsiam sets this from the rdsiam config (DSN, ssl, pool, connect_timeout_ms); set it there instead',
      });
    }
  }
}

function mergeInto(ours: Record<string, unknown>, theirs: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...theirs, ...ours };
  for (const [key, value] of Object.entries(theirs)) {
    const mine = ours[key];
    if (isPlainObject(mine) && isPlainObject(value)) merged[key] = mergeInto(mine, value);
  }
  return merged;
}

/**
 * The options rdsiam built with the library's own options merged in. Refuses, in one ConfigError naming
 * each key, what would defeat token renewal and what would silently replace a value taken from the config.
 */
export function mergeLibraryOptions<O extends object, T extends object>(
  builder: string,
  ours: O,
  theirs: T | undefined,
  defeaters: Defeaters,
): O & T {
  if (theirs === undefined) return ours as O & T;
  const issues: ConfigIssue[] = [];
  collectIssues(ours as Record<string, unknown>, theirs as Record<string, unknown>, defeaters, '', issues);
  if (issues.length > 0) throw new ConfigError(issues, `${builder} cannot take these options`);
  return mergeInto(ours as Record<string, unknown>, theirs as Record<string, unknown>) as O & T;
}
