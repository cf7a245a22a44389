// The `rdsiam` executable: the CLI on the process's own streams and environment. Built as CommonJS (scripts/build.ts),
// so no top-level await.
import { main } from './main.js';

void main(process.argv.slice(2), {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
}).then((code) => {
  process.exitCode = code;
});
