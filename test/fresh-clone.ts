// `npm run test:fresh` (root): the README's quick start as a newcomer runs it, on this machine, from a fresh clone of
// this checkout's HEAD. .ci/run calls it after `npm test`; `npm test` does not (it would run itself).
//
// It runs in a mount namespace (`unshare -m`) where the PAM headers are absent (an empty directory bound over
// /usr/include/security, when there is one), with a clean environment (PATH, and HOME in a temp dir: no npm cache,
// no npmrc, CI unset, as on a newcomer's machine). Steps: `npm install`; `npm run demo` with the C compiler hidden
// (an empty directory over /usr/lib/gcc) and TESTBED_NO_INSTALL=1, which must exit 2 with the apt-get line;
// `npm run demo`; and `npm test -- integration/testbed`, the part of `npm test` that starts its own test bed and
// checks it (the full suite has just run in CI). The clone's test bed is its own (its work dir is keyed by the
// clone's path) and is stopped at the end. Prints one PASS or FAIL line; exits 1 on failure.
import { spawn } from 'node:child_process';
import { access, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultWorkDir, layout } from './testbed/layout.js';

const IN_NAMESPACE = '--in-namespace';
/** The whole run's bound; a step's own timeout is smaller. */
const DEADLINE_MS = 10 * 60_000;
const PAM_HEADERS = '/usr/include/security';
const GCC_LIBEXEC = '/usr/lib/gcc';
const say = (line: string) => console.log(`test:fresh: ${line}`);

interface Outcome {
  code: number;
  out: string;
}

/** Runs a command in its own process group, its output shown as it comes and kept; killed whole on timeout. */
function run(
  file: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { cwd: options.cwd, env: options.env, detached: true, stdio: 'pipe' });
    child.stdin.end();
    let out = '';
    const keep = (to: NodeJS.WriteStream) => (chunk: Buffer) => {
      out += chunk.toString();
      to.write(chunk);
    };
    child.stdout.on('data', keep(process.stdout));
    child.stderr.on('data', keep(process.stderr));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ code: 127, out: `${out}\n${file}: ${error.message}` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) out += `\n${file} ${args.join(' ')}: timed out after ${options.timeoutMs / 1000} s`;
      resolve({ code: code ?? (signal ? 128 : 1), out });
    });
  });
}

class StepFailed extends Error {}

function check(condition: boolean, what: string): void {
  if (!condition) throw new StepFailed(what);
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/** Outside the namespace: re-runs this script inside one, bounded by the deadline. */
async function outer(): Promise<number> {
  if (process.getuid?.() !== 0) {
    say('FAIL: needs root (a mount namespace, and the test bed starts its own servers)');
    return 1;
  }
  const self = fileURLToPath(import.meta.url);
  const r = await run('unshare', ['-m', '--', process.execPath, '--import', 'tsx', self, IN_NAMESPACE], {
    cwd: layout().repoRoot,
    env: process.env,
    timeoutMs: DEADLINE_MS,
  });
  if (r.code !== 0 && !/^test:fresh: (PASS|FAIL)/m.test(r.out)) say(`FAIL: exit ${r.code} ${r.out.slice(-300)}`);
  return r.code === 0 ? 0 : 1;
}

/** Inside the namespace: the mounts, the clone and the quick start. */
async function inner(): Promise<number> {
  const began = performance.now();
  const { repoRoot } = layout();
  const base = await mkdtemp(join(tmpdir(), 'rdsiam-fresh-'));
  const clone = join(base, 'rdsiam');
  const empty = join(base, 'empty');
  // TMPDIR only if set: the clone's test bed keys its work dir under it, and so does defaultWorkDir here.
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: join(base, 'home'),
    ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}),
  };
  const inClone = (timeoutMs: number, extra: NodeJS.ProcessEnv = {}) => ({
    cwd: clone,
    env: { ...env, ...extra },
    timeoutMs,
  });
  let commit = '?';
  let installed = false;
  let failure: string | undefined;
  try {
    await Promise.all([mkdir(empty), mkdir(join(base, 'home'))]);
    if (await exists(PAM_HEADERS)) {
      const hide = await run('mount', ['--bind', empty, PAM_HEADERS], { cwd: '/', env, timeoutMs: 10_000 });
      check(hide.code === 0, `hiding ${PAM_HEADERS}: ${hide.out}`);
    }
    check(!(await exists(join(PAM_HEADERS, 'pam_appl.h'))), `${PAM_HEADERS}/pam_appl.h is still visible`);

    const head = await run('git', ['rev-parse', 'HEAD'], { cwd: repoRoot, env, timeoutMs: 10_000 });
    commit = head.out.trim().slice(0, 12);
    const cloned = await run('git', ['clone', '--quiet', '--no-checkout', repoRoot, clone], {
      cwd: base,
      env,
      timeoutMs: 60_000,
    });
    check(cloned.code === 0, `git clone: ${cloned.out}`);
    const checkout = await run('git', ['checkout', '--quiet', '--detach', head.out.trim()], inClone(60_000));
    check(checkout.code === 0, `git checkout ${commit}: ${checkout.out}`);
    say(`fresh clone of ${commit} in ${clone}; PAM headers hidden; a clean env (PATH, HOME=${env.HOME})`);

    say('== npm install');
    const install = await run('npm', ['install', '--no-audit', '--no-fund'], inClone(240_000));
    installed = true;
    check(install.code === 0, `npm install exited ${install.code}`);

    say(`== npm run demo, with ${GCC_LIBEXEC} hidden and TESTBED_NO_INSTALL=1: must exit 2 with the apt-get line`);
    const noCompiler = await run(
      'unshare',
      [
        '-m',
        '--',
        'sh',
        '-c',
        'mount --bind "$1" "$2" && shift 2 && exec "$@"',
        'sh',
        empty,
        GCC_LIBEXEC,
        'npm',
        'run',
        'demo',
      ],
      inClone(120_000, { TESTBED_NO_INSTALL: '1' }),
    );
    check(noCompiler.code === 2, `without a compiler, npm run demo exited ${noCompiler.code}, not 2`);
    check(
      noCompiler.out.includes('apt-get install -y --no-install-recommends gcc libc6-dev'),
      'without a compiler, npm run demo did not print the apt-get line for gcc libc6-dev',
    );

    say('== npm run demo');
    const demo = await run('npm', ['run', 'demo'], inClone(240_000));
    check(demo.code === 0 && demo.out.includes('== done'), `npm run demo exited ${demo.code}`);

    say('== npm test -- integration/testbed');
    const tests = await run('npm', ['test', '--', 'integration/testbed'], inClone(300_000));
    check(tests.code === 0, `npm test exited ${tests.code}`);
    // Not by skipping: every test ran and passed.
    check(!tests.out.includes('SKIPPED') && /ℹ skipped 0\n/.test(tests.out), 'npm test skipped tests');
    check(/ℹ pass [1-9]/.test(tests.out) && /ℹ fail 0\n/.test(tests.out), 'npm test ran no passing tests');
  } catch (error) {
    failure = error instanceof StepFailed ? error.message : String(error);
  }
  // Whatever a failed step left running, then the clone and its test bed's work dir (logs and caches).
  const workDir = defaultWorkDir(`${clone}/`);
  const stop = installed ? await run('npm', ['run', '--silent', 'testbed:stop'], inClone(120_000)) : undefined;
  if (stop && stop.code !== 0) failure ??= `npm run testbed:stop exited ${stop.code} (kept ${clone} and ${workDir})`;
  else await Promise.all([rm(workDir, { recursive: true, force: true }), rm(base, { recursive: true, force: true })]);
  const took = `${((performance.now() - began) / 1000).toFixed(0)} s`;
  if (failure === undefined) say(`PASS: the quick start from a fresh clone of ${commit} (${took})`);
  else say(`FAIL: ${failure} (fresh clone of ${commit}, ${took})`);
  return failure === undefined ? 0 : 1;
}

process.exitCode = await (process.argv.includes(IN_NAMESPACE) ? inner() : outer());
