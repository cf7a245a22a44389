/**
 * A hash of the test bed's own code (this directory). Stored at start; `status` reports a test bed
 * running older code as unhealthy, so `npm test` restarts it instead of measuring with a stale verifier.
 */
export declare function testbedCodeHash(): Promise<string>;
