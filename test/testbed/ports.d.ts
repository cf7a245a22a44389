/** The first port at or above `from` that nothing listens on and that is not in `taken`. */
export declare function freePort(from: number, taken?: readonly number[]): Promise<number>;
