/** AWS credentials, structurally compatible with the SDK's `AwsCredentialIdentity`. */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

/** Structurally compatible with the SDK's `AwsCredentialIdentityProvider`, so SDK providers can be injected. */
export type CredentialsProvider = () => Promise<AwsCredentials>;
