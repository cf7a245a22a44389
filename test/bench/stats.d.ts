/** Order statistics of samples in milliseconds. */
export interface Summary {
    median: number;
    p90: number;
    n: number;
}
export declare function summarize(samples: readonly number[]): Summary;
/**
 * Runs A and B alternately, `rounds` times each (A first on even rounds, B first on odd ones), so drift and
 * noise on a busy 2-vCPU machine fall on both sides alike. Returns each side's samples in ms.
 */
export declare function alternate(rounds: number, a: () => Promise<number | void>, b: () => Promise<number | void>): Promise<[number[], number[]]>;
export declare const ratio: (a: Summary, b: Summary) => number;
