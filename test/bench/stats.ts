/** Order statistics of samples in milliseconds. */
export interface Summary {
  median: number;
  p90: number;
  n: number;
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { median: at(0.5), p90: at(0.9), n: sorted.length };
}

/**
 * Runs A and B alternately, `rounds` times each (A first on even rounds, B first on odd ones), so drift and
 * noise on a busy 2-vCPU machine fall on both sides alike. Returns each side's samples in ms.
 */
export async function alternate(
  rounds: number,
  a: () => Promise<number | void>,
  b: () => Promise<number | void>,
): Promise<[number[], number[]]> {
  const timesA: number[] = [];
  const timesB: number[] = [];
  const time = async (fn: () => Promise<number | void>, into: number[]) => {
    const started = performance.now();
    const reported = await fn();
    into.push(typeof reported === 'number' ? reported : performance.now() - started);
  };
  for (let i = 0; i < rounds; i++) {
    if (i % 2 === 0) {
      await time(a, timesA);
      await time(b, timesB);
    } else {
      await time(b, timesB);
      await time(a, timesA);
    }
  }
  return [timesA, timesB];
}

export const ratio = (a: Summary, b: Summary): number => Number((a.median / b.median).toFixed(3));
