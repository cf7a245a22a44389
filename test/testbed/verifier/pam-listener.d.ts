import type { ServiceRule } from './config.js';
import type { KeyStore } from './key-store.js';
import type { LoginLog } from './login-log.js';
export interface PamListenerDeps {
    socketPath: string;
    services: Record<string, ServiceRule>;
    keys: KeyStore;
    log: LoginLog;
    now?: () => Date;
}
/**
 * Answers pam_rdsiam over a unix socket: request "<service>\0<user>\0<token>\0", answer "OK\n" or
 * "NO <verdict>\n". It can be closed and reopened so tests see a real "verifier down" (connect fails).
 */
export declare class PamListener {
    #private;
    constructor(deps: PamListenerDeps);
    get listening(): boolean;
    open(): Promise<void>;
    close(): Promise<void>;
}
