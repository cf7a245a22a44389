// `node --import tsx test/testbed/cli.ts start|stop|status|install`: the local RDS IAM test bed.
// stdout carries only the state file's path (last line); progress and errors go to stderr. Exit 2: the machine
// lacks packages the test bed may not install here (the message says which, and the command to install them).
import { checkHealth } from './health.js';
import { layout } from './layout.js';
import { ensureRequirements, TestbedNotReadyError } from './requirements.js';
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
    case 'install':
      // What .ci/run calls before starting: installs what is missing, in CI too (it asks for it explicitly).
      await ensureRequirements(say, { force: true });
      say('the machine has everything the test bed needs');
      return 0;
    default:
      say('usage: cli.ts start|stop|status|install');
      return 2;
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    say(error instanceof Error ? error.message : String(error));
    process.exit(error instanceof TestbedNotReadyError ? 2 : 1);
  },
);
