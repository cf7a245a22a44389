/** The chart for one run of `npm run bench -- --json`. Rows the run did not measure are left out. */
export declare function benchChart(data: Record<string, unknown>): string;
