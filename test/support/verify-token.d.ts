export interface SigningKeys {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken?: string;
}
export interface CheckedToken {
    host: string;
    port: string;
    /** The query parameters, X-Amz-Signature and X-Amz-Security-Token left out. */
    params: Record<string, string>;
    hasSessionToken: boolean;
}
/**
 * Recomputes a token's SigV4 presigned signature from its own X-Amz-Date and X-Amz-Expires with `keys`,
 * independently of the SDK signer that produced it, and throws unless it matches.
 */
export declare function verifyToken(token: string, service: 'rds-db' | 'dsql', region: string, keys: SigningKeys): Promise<CheckedToken>;
