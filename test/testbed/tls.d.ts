export interface TlsFiles {
    ca: string;
    cert: string;
    key: string;
}
/**
 * A test CA and one server certificate whose SAN covers every test hostname plus localhost and
 * 127.0.0.1, so verify-full works by name or by address. Made with the openssl CLI and reused while
 * the SAN list is unchanged.
 */
export declare function ensureCertificates(dir: string, hostnames: readonly string[]): Promise<TlsFiles>;
