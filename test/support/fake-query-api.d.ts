/** What the next request gets instead of a normal answer. */
export type FakeFault = {
    kind: 'error';
    status: number;
    code: string;
    message: string;
}
/** Never answers (until the server closes). */
 | {
    kind: 'hang';
};
/** A request as the fake saw it: what was asked, and the SigV4 scope it was signed with (never the signature). */
export interface FakeCall {
    action: string | null;
    params: Record<string, string>;
    accessKeyId: string | null;
    signingRegion: string | null;
    service: string | null;
}
/** An answer: its HTTP status and XML body. */
export interface FakeAnswer {
    status: number;
    body: string;
}
export declare function escapeXml(text: string): string;
/**
 * A loopback stand-in for one AWS Query API (POST form-encoded `Action=...`, XML answers as AWS writes them): RDS,
 * STS and IAM all speak it. A subclass answers each action; faults queued with `fail()` answer the next requests, in
 * order. Every answer has a `Date` header, `clockOffsetMs` ahead of this machine's clock (a skewed client clock).
 */
export declare abstract class FakeQueryApi {
    #private;
    readonly calls: FakeCall[];
    /** How far the server's clock (its Date header) is ahead of the local one. */
    clockOffsetMs: number;
    url: string;
    /** The XML namespace of the API's answers. */
    protected abstract readonly xmlns: string;
    /** The answer to one action. */
    protected abstract answer(action: string, params: Record<string, string>): FakeAnswer;
    start(): Promise<this>;
    stop(): Promise<void>;
    /** Queues faults for the next requests. */
    fail(...faults: FakeFault[]): void;
    /** Calls of one action. */
    callsOf(action: string): FakeCall[];
    /** `<Action>Response><Action>Result>…`, as the Query APIs wrap a result. */
    protected result(action: string, inner: string): FakeAnswer;
    protected error(status: number, code: string, message: string): FakeAnswer;
    protected invalidAction(action: string): FakeAnswer;
}
