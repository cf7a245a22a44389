// The conventions people type without thinking: --version, did-you-mean, shell completion, --quiet, exit codes in
// every --help. Through the source CLI: in-process, and as the real executable a completion script calls back.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { CLI_NODE_ARGS, inProcess } from '../support/cli.js';
import { fixtureProject, NEEDS_ROOT, plantedSharedDir, tempProject } from '../support/projects.js';
import { bashComplete, checkSyntax, fishComplete, hasShell, rdsiamBin } from '../support/shell-completion.js';

const PACKAGE = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};
const COMMANDS = ['token', 'exec', 'check', 'doctor', 'policy', 'proxy', 'schema', 'version', 'completion'];
const CONNECTIONS = fixtureProject('connections'); // .rdsiamrc (YAML) defining reader and read-replica

describe('rdsiam --version', () => {
  test('--version, -V and version print the version from package.json and exit 0', async () => {
    for (const argv of [['--version'], ['-V'], ['version']]) {
      const r = await inProcess(argv);
      assert.deepEqual(r, { code: 0, out: `${PACKAGE.version}\n`, err: '' }, argv.join(' '));
    }
  });

  test('--version --json is one object for a bug report: version, Node.js version, runtime', async () => {
    for (const argv of [
      ['--version', '--json'],
      ['version', '--json'],
    ]) {
      const r = await inProcess(argv);
      assert.equal(r.code, 0);
      assert.deepEqual(JSON.parse(r.out), { version: PACKAGE.version, node: process.version, runtime: 'node' });
    }
  });
});

describe('did you mean', () => {
  test('an unknown command names the nearest one, or lists them when none is near; exit 2', async () => {
    const typo = await inProcess(['tokn']);
    assert.equal(typo.code, 2);
    assert.equal(typo.err, 'rdsiam: unknown command "tokn"; did you mean "token"? See rdsiam --help.\n');
    const far = await inProcess(['deploy']);
    assert.equal(far.code, 2);
    assert.match(far.err, new RegExp(`; commands: ${COMMANDS.join(', ')}\\. See rdsiam --help\\.`));
    const flag = await inProcess(['--verison']);
    assert.equal(flag.code, 2);
    assert.match(flag.err, /unknown option "--verison"; did you mean "--version"\?/);
  });

  test("an unknown option names the nearest of that command's options; exit 2", async () => {
    const cases: [string[], RegExp][] = [
      [['token', '--conection', 'reader'], /^rdsiam token: unknown option --conection; did you mean "--connection"\?/],
      [['exec', '--qiet', '--', 'true'], /^rdsiam exec: unknown option --qiet; did you mean "--quiet"\?/],
      [['check', '--jsno'], /^rdsiam check: unknown option --jsno; did you mean "--json"\?/],
      [['version', '--jason'], /^rdsiam version: unknown option --jason; did you mean "--json"\?/],
      [['check', '--region=us-east-1'], /^rdsiam check: unknown option --region; options: --config, /],
    ];
    for (const [argv, expected] of cases) {
      const r = await inProcess(argv);
      assert.equal(r.code, 2, argv.join(' '));
      assert.match(r.err, expected, argv.join(' '));
    }
  });
});

describe('--help', () => {
  test('every command, and rdsiam itself, ends its help with its exit codes', async () => {
    const top = await inProcess(['--help']);
    for (const c of COMMANDS) assert.match(top.out, new RegExp(`^  ${c} `, 'm'));
    assert.match(top.out, /^ {2}-V, --version /m);
    for (const argv of [['--help'], ...COMMANDS.map((c) => [c, '--help'])]) {
      const r = await inProcess(argv);
      assert.equal(r.code, 0, argv.join(' '));
      const last = r.out.trimEnd().split('\n\n').at(-1)!;
      assert.match(last, /^Exit code: [\s\S]*\b2 (for|a|when)\b/, argv.join(' '));
    }
  });

  test('exec documents --quiet (-q), not its old name --env-only, which still parses', async () => {
    const help = (await inProcess(['exec', '--help'])).out;
    assert.match(help, /^ {2}-q, --quiet /m);
    assert.doesNotMatch(help, /env-only/);
    // Past the options, each stops at the same place: nothing after --.
    for (const flag of ['--quiet', '-q', '--env-only']) {
      const r = await inProcess(['exec', flag, '--']);
      assert.equal(r.code, 2, flag);
      assert.match(r.err, /no command after --/, flag);
    }
  });
});

describe('rdsiam completion', () => {
  const bin = rdsiamBin([process.execPath, ...CLI_NODE_ARGS]);

  test('no shell, or one it does not know, is a usage error (exit 2)', async () => {
    for (const argv of [['completion'], ['completion', 'powershell']]) {
      const r = await inProcess(argv);
      assert.equal(r.code, 2, argv.join(' '));
      assert.match(r.err, /^rdsiam completion: (name the shell|no completion for "powershell")/);
    }
  });

  for (const shell of ['bash', 'zsh', 'fish'] as const) {
    test(`the ${shell} script passes ${shell}'s own syntax check`, async (t) => {
      if (!hasShell(shell))
        return t.skip(`${shell} is not installed (apt-get install ${shell}): its script is not checked`);
      const script = (await inProcess(['completion', shell])).out;
      assert.match(script, /completion --connections/);
      const r = await checkSyntax(shell, script);
      assert.equal(r.code, 0, r.err);
    });
  }

  test("bash completes commands, a command's options, and --connection from the config's names", async () => {
    const script = (await inProcess(['completion', 'bash'])).out;
    const at = { bin, cwd: CONNECTIONS };
    assert.deepEqual(await bashComplete(script, ['rdsiam', 'c'], at), ['check', 'completion']);
    assert.deepEqual(await bashComplete(script, ['rdsiam', 'exec', '--q'], at), ['--quiet']);
    assert.deepEqual(await bashComplete(script, ['rdsiam', 'completion', ''], at), [
      'bash',
      'zsh',
      'fish',
      '--connections',
      '--help',
    ]);
    assert.deepEqual(await bashComplete(script, ['rdsiam', 'exec', '--connection', ''], at), [
      'reader',
      'read-replica',
    ]);
    assert.deepEqual(await bashComplete(script, ['rdsiam', 'token', '-n', 'read-'], at), ['read-replica']);
  });

  test('fish completes commands and --connection names', async (t) => {
    if (!hasShell('fish')) return t.skip('fish is not installed (apt-get install fish): its completion is not run');
    const script = (await inProcess(['completion', 'fish'])).out;
    const at = { bin, cwd: CONNECTIONS };
    assert.deepEqual(await fishComplete(script, 'rdsiam tok', at), ['token']);
    assert.deepEqual(await fishComplete(script, 'rdsiam check --connection ', at), ['reader', 'read-replica']);
  });

  test('--connections reads JSON, YAML and package.json, as the search finds them, and RDSIAM_CONFIG', async () => {
    const names = async (cwd: string, env: Record<string, string> = {}) =>
      (await inProcess(['completion', '--connections'], env, { cwd })).out;
    assert.equal(await names(CONNECTIONS), 'reader\nread-replica\n');
    const json = tempProject({ '.rdsiamrc.json': JSON.stringify({ connections: { a: {}, b: {} } }) });
    assert.equal(await names(json), 'a\nb\n');
    assert.equal(await names(join(json, 'sub/dir')), 'a\nb\n', 'from a subdirectory, up to the project root');
    const pkg = tempProject({}, { name: 'app', rdsiam: { connections: { fromPackage: {} } } });
    assert.equal(await names(pkg), 'fromPackage\n');
    // package.json is searched first; without the key, the next place is.
    const both = tempProject({ '.config/rdsiamrc.yml': 'connections: { yml: {} }\n' });
    assert.equal(await names(both), 'yml\n');
    const named = join(json, 'other.yaml');
    assert.equal(await names(pkg, { RDSIAM_CONFIG: named }), '', 'a named file that does not exist: no names');
    const other = tempProject({ 'other.yaml': 'connections:\n  named: {}\n' });
    assert.equal(await names(pkg, { RDSIAM_CONFIG: join(other, 'other.yaml') }), 'named\n');
    assert.equal(await names(fixtureProject('no-config')), '');
  });

  test('a config in code is never run for completion: no names, and its code has not run', async () => {
    const marker = (dir: string) => join(dir, 'ran');
    const code = (dir: string) =>
      `require('node:fs').writeFileSync(${JSON.stringify(marker(dir))}, 'x'); module.exports = { connections: { js: {} } };`;
    const dir = tempProject({});
    const project = tempProject({ '.rdsiamrc.cjs': code(dir), 'rdsiam.config.js': code(dir) });
    // A YAML config further up is not used in its place either: the config in code, found first, is the config.
    const shadowed = tempProject({ 'sub/.rdsiamrc.cjs': code(dir), '.rdsiamrc.yaml': 'connections: { yaml: {} }' });
    assert.equal((await inProcess(['completion', '--connections'], {}, { cwd: shadowed })).out, 'yaml\n');
    for (const cwd of [project, join(shadowed, 'sub')]) {
      const r = await inProcess(['completion', '--connections'], {}, { cwd });
      assert.deepEqual(r, { code: 0, out: '', err: '' });
    }
    const viaEnv = await inProcess(['completion', '--connections'], { RDSIAM_CONFIG: join(project, '.rdsiamrc.cjs') });
    assert.deepEqual(viaEnv, { code: 0, out: '', err: '' });
    assert.equal(existsSync(marker(dir)), false, 'the config code ran');
  });

  test('a config another user could have written gives no names: refused before it is read, exit 2', {
    skip: NEEDS_ROOT,
  }, async () => {
    const { shared, ran } = plantedSharedDir();
    const r = await inProcess(['completion', '--connections'], {}, { cwd: shared });
    assert.equal(r.code, 2);
    assert.equal(r.out, '');
    assert.match(r.err, /Refused an rdsiam config file/);
    assert.equal(existsSync(ran), false, 'the planted config ran');
  });

  test('a data config that does not parse is exit 2 naming the file, without quoting it', async () => {
    const dir = tempProject({ '.rdsiamrc.json': '{"dsn": "postgres://u:s3cret@h/db",' });
    const r = await inProcess(['completion', '--connections'], {}, { cwd: dir });
    assert.equal(r.code, 2);
    assert.match(r.err, /\.rdsiamrc\.json\): is not valid JSON/);
    assert.doesNotMatch(r.err, /s3cret/);
  });
});
