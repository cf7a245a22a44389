import type { PluginCode } from '../aws-facts.js';
import type { Engine } from '../config/dsn.js';

/** `"name"`, a PostgreSQL identifier quoted as written. */
function pgIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** `'text'`, a MySQL string literal. */
function mysqlString(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** `'text'`, a PostgreSQL string literal. */
function pgString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/**
 * The statements that let `user` log in with an IAM token, run as an administrator of the database. DSQL's `admin`
 * needs none; another DSQL role is mapped to the IAM role that signs its tokens (`roleArn`).
 */
export function grantSql(p: { plugin: PluginCode; engine: Engine; user: string; roleArn: string }): string[] {
  if (p.plugin === 'iam_dsql') {
    if (p.user === 'admin') return [];
    return [
      `CREATE ROLE ${pgIdentifier(p.user)} WITH LOGIN;`,
      `AWS IAM GRANT ${pgIdentifier(p.user)} TO ${pgString(p.roleArn)};`,
    ];
  }
  if (p.engine === 'postgres') return [`GRANT rds_iam TO ${pgIdentifier(p.user)};`];
  return [`CREATE USER ${mysqlString(p.user)} IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS';`];
}
