import type { TestCredentials } from './testbed.js';
export type EndpointBehaviour = 'ok' | 'error' | 'slow';
export interface ContainerEndpoint {
    /** For AWS_CONTAINER_CREDENTIALS_FULL_URI. */
    url: string;
    /** How many credential requests it has answered (or refused). */
    hits(): number;
    /** The Authorization header of the last request (AWS_CONTAINER_AUTHORIZATION_TOKEN). */
    authorization(): string | undefined;
    close(): Promise<void>;
}
/**
 * A loopback ECS/EKS container-credentials endpoint, as the SDK's `fromContainerMetadata` calls it:
 * serves `credentials` (ok), answers 500 with a body that quotes the secret key, which no error may repeat
 * (error), or holds every request unanswered (slow).
 */
export declare function startContainerEndpoint(credentials: TestCredentials, behaviour?: EndpointBehaviour): Promise<ContainerEndpoint>;
