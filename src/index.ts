// The public API of rdsiam, and nothing else.
export { RdsIamError, ConfigError, EndpointError, CredentialsError, AuthError } from './errors.js';
export type { ConfigIssue, ValueSource } from './errors.js';
export type { ResolvedConfig, LoadConfigOptions, ParsedDsn, PluginCode, Engine } from './config/types.js';
