import { FakeQueryApi, type FakeAnswer } from './fake-query-api.js';
/**
 * A loopback stand-in for STS: GetCallerIdentity answers `identity`. Reach it with `AWS_ENDPOINT_URL_STS=fake.url`.
 */
export declare class FakeStsApi extends FakeQueryApi {
    protected readonly xmlns = "https://sts.amazonaws.com/doc/2011-06-15/";
    identity: {
        account: string;
        arn: string;
        userId: string;
    };
    protected answer(action: string): FakeAnswer;
}
/** What the fake IAM decides for one principal, action and resource, and the statements it says matched. */
export interface FakeDecision {
    decision: 'allowed' | 'implicitDeny' | 'explicitDeny';
    matched?: {
        policyId: string;
        type: string;
        line: number;
    }[];
}
/**
 * A loopback stand-in for IAM: SimulatePrincipalPolicy answers what `decide` says (implicit deny unless told), one
 * evaluation result per action and resource. Reach it with `AWS_ENDPOINT_URL_IAM=fake.url`.
 */
export declare class FakeIamApi extends FakeQueryApi {
    protected readonly xmlns = "https://iam.amazonaws.com/doc/2010-05-08/";
    decide: (principal: string, action: string, resource: string) => FakeDecision;
    protected answer(action: string, params: Record<string, string>): FakeAnswer;
}
