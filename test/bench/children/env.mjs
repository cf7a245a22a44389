// Shared by the child processes: the test bed facts and the connection settings, from BENCH_* variables.
import { readFileSync } from 'node:fs';

export const state = JSON.parse(readFileSync(process.env.BENCH_STATE, 'utf8'));
export const engine = process.env.BENCH_ENGINE ?? 'postgres';
export const server = state[engine === 'mysql' ? 'mysql' : 'postgres'];
export const ca = readFileSync(state.ca, 'utf8');

export function report(result) {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
