import { type Server } from 'node:http';
import { type KeyStore } from './key-store.js';
import type { LoginLog } from './login-log.js';
import type { PamListener } from './pam-listener.js';
/** JSON over HTTP on a root-only unix socket: only the test processes (root) may change policy. */
export declare function startControlApi(deps: {
    socketPath: string;
    keys: KeyStore;
    log: LoginLog;
    pam: PamListener;
}): Promise<Server>;
