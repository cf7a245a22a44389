// `node --import tsx test/testbed/cli.ts start|stop|status`: the local RDS IAM test bed.
// stdout carries only the state file's path (last line); progress and errors go to stderr.
import { checkHealth } from './health.js';
import { layout } from './layout.js';
import { start } from './start.js';
import { readState } from './state.js';
import { stop } from './stop.js';

const say = (line: string) => process.stderr.write(`testbed: ${line}\n`);
const paths = layout();
const command = process.argv[2];

async function main(): Promise<number> {
  switch (command) {
    case 'start':
      process.stdout.write(`${await start(paths, say)}\n`);
      return 0;
    case 'stop':
      await stop(paths, say);
      return 0;
    case 'status': {
      const state = await readState(paths.stateFile).catch(() => undefined);
      if (!state) {
        say(`not running (no ${paths.stateFile})`);
        return 1;
      }
      await checkHealth(state);
      say('running and healthy');
      process.stdout.write(`${paths.stateFile}\n`);
      return 0;
    }
    default:
      say('usage: cli.ts start|stop|status');
      return 2;
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    say(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
