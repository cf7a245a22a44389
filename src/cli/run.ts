// The `rdsiam` executable: the CLI on the process's own streams and environment.
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2), {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
});
