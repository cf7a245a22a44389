// The driver types the public API returns. pg and mysql2 are optional peers, and an application installs one:
// each import is behind @ts-ignore (kept in the emitted .d.ts), so that without a driver's types its names are
// `any` rather than an error, and a mysql2-only app type-checks without pg or @types/pg (and the reverse).
// biome-ignore format: @ts-ignore covers one line, so this export must stay on one line
// @ts-ignore
export type { Client as PgClient, ClientBase as PgClientBase, Pool as PgPool, PoolClient as PgPoolClient, PoolConfig as PgPoolOptions } from 'pg';
// @ts-ignore
export type { Connection as MysqlConnection, Pool as MysqlPool, PoolOptions as MysqlPoolOptions } from 'mysql2/promise';
