import type { Engine } from '../../src/config/dsn.js';
import type { ResolvedConfig } from '../../src/config/resolve.js';
export interface ConfigShape extends Partial<Omit<ResolvedConfig, 'dsn'>> {
    host?: string;
    port?: number;
    user?: string;
    engine?: Engine;
}
/** A ResolvedConfig built directly (no loader): an IAM PostgreSQL connection to RDS_HOST unless told otherwise. */
export declare function resolvedConfig(shape?: ConfigShape): ResolvedConfig;
