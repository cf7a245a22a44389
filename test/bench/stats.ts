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
  const [timesA = [], timesB = []] = await rotate(rounds, [a, b]);
  return [timesA, timesB];
}

/**
 * `alternate` for any number of sides: each round runs every side once, starting one further along than the round
 * before. A side reports its own sample (a number), or is timed in ms.
 */
export async function rotate(rounds: number, sides: (() => Promise<number | void>)[]): Promise<number[][]> {
  const times = sides.map((): number[] => []);
  for (let i = 0; i < rounds; i++) {
    for (let k = 0; k < sides.length; k++) {
      const side = (i + k) % sides.length;
      const started = performance.now();
      const reported = await sides[side]!();
      times[side]!.push(typeof reported === 'number' ? reported : performance.now() - started);
    }
  }
  return times;
}

export const ratio = (a: Summary, b: Summary): number => Number((a.median / b.median).toFixed(3));
