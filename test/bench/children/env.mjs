// Shared by the child processes that need the test bed facts: the connection settings, from BENCH_* variables.
import { readFileSync } from 'node:fs';

export { report } from './report.mjs';
export const state = JSON.parse(readFileSync(process.env.BENCH_STATE, 'utf8'));
export const engine = process.env.BENCH_ENGINE ?? 'postgres';
export const server = state[engine === 'mysql' ? 'mysql' : 'postgres'];
export const ca = readFileSync(state.ca, 'utf8');
