/** Compiles pam_rdsiam.so with gcc (or cc), cached by source hash so an unchanged module is not rebuilt. */
export declare function buildPamModule(buildDir: string): Promise<string>;
/** One /etc/pam.d file per server, so a token for one server cannot log in to another. */
export declare function writePamServices(services: readonly string[], modulePath: string, verifierSocket: string): Promise<void>;
export declare function removePamServices(services: readonly string[]): Promise<void>;
