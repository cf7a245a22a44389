// The build's license check, on a real esbuild metafile of a project made here: its own packages in node_modules,
// one nested, one scoped, one without a license file, one under the GPL.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { build, type Metafile } from 'esbuild';
import {
  type BundledLicenses,
  bundledLicenses,
  cycloneDxFragment,
  noticesMarkdown,
} from '../../scripts/third-party-licenses.js';
import { tempProject } from '../support/projects.js';

const MIT_TEXT = 'MIT License\n\nCopyright (c) 2020 Good Authors\n\nPermission is hereby granted...\n';
const ISC_TEXT = 'ISC License\n\nCopyright (c) 2021 Inner Authors\n\nA line with ``` in it.\n';

const pkg = (name: string, version: string, license: string, main = 'module.exports = 1;\n') => ({
  'package.json': JSON.stringify({ name, version, license }),
  'index.js': main,
});
const under = (dir: string, files: Record<string, string>) =>
  Object.fromEntries(Object.entries(files).map(([path, text]) => [`${dir}/${path}`, text]));

let root: string;
let metafile: Metafile;
let result: BundledLicenses;

before(async () => {
  root = tempProject({
    'entry.js':
      "import good from 'good';\nimport bad from 'unlicensed';\nimport gpl from '@scope/gpl';\nexport default [good, bad, gpl];\n",
    'other.js': "import good from 'good';\nexport default good;\n",
    ...under('node_modules/good', {
      ...pkg('good', '1.0.0', 'MIT', "module.exports = require('inner');\n"),
      LICENSE: MIT_TEXT,
    }),
    ...under('node_modules/good/node_modules/inner', { ...pkg('inner', '3.0.0', 'ISC'), 'LICENCE.md': ISC_TEXT }),
    ...under('node_modules/unlicensed', pkg('unlicensed', '2.0.0', 'MIT')),
    ...under('node_modules/@scope/gpl', {
      ...pkg('@scope/gpl', '1.0.0', 'GPL-3.0'),
      COPYING: 'GNU GENERAL PUBLIC LICENSE\n',
    }),
  });
  ({ metafile } = await build({
    absWorkingDir: root,
    entryPoints: { a: 'entry.js', b: 'other.js' },
    outdir: 'out',
    bundle: true,
    platform: 'node',
    format: 'esm',
    write: false,
    metafile: true,
    logLevel: 'silent',
  }));
  result = bundledLicenses([metafile], root);
});

describe('bundled licenses, from a metafile', () => {
  test('a package without a license file, or under a license outside the allowlist, is a problem naming it and where it came in', () => {
    assert.deepEqual(result.problems, [
      '@scope/gpl@1.0.0 (node_modules/@scope/gpl) is licensed "GPL-3.0", not one of MIT, ISC, BSD-2-Clause, BSD-3-Clause, Apache-2.0, 0BSD; bundled into out/a.js, imported by entry.js',
      'unlicensed@2.0.0 (node_modules/unlicensed) has no license file (LICENSE, LICENCE, COPYING...) to ship with its code; bundled into out/a.js, imported by entry.js',
    ]);
  });

  test('every package read, nested and scoped ones by their own package.json, with its outputs and importers', () => {
    assert.deepEqual(
      result.packages.map(({ name, version, license, dir, outputs, importers }) => ({
        id: `${name}@${version}`,
        license,
        dir,
        outputs,
        importers,
      })),
      [
        {
          id: '@scope/gpl@1.0.0',
          license: 'GPL-3.0',
          dir: 'node_modules/@scope/gpl',
          outputs: ['out/a.js'],
          importers: ['entry.js'],
        },
        {
          id: 'good@1.0.0',
          license: 'MIT',
          dir: 'node_modules/good',
          outputs: ['out/a.js', 'out/b.js'],
          importers: ['entry.js', 'other.js'],
        },
        {
          id: 'inner@3.0.0',
          license: 'ISC',
          dir: 'node_modules/good/node_modules/inner',
          outputs: ['out/a.js', 'out/b.js'],
          importers: ['node_modules/good/index.js'],
        },
        {
          id: 'unlicensed@2.0.0',
          license: 'MIT',
          dir: 'node_modules/unlicensed',
          outputs: ['out/a.js'],
          importers: ['entry.js'],
        },
      ],
    );
  });

  test('the notices hold each license file in full, in a fence its text cannot close', () => {
    const notices = noticesMarkdown(result.packages);
    const section = (id: string) =>
      notices.slice(notices.indexOf(`\n## ${id}\n`), notices.indexOf('\n## ', notices.indexOf(`\n## ${id}\n`) + 1));
    assert.ok(section('good@1.0.0').includes(`LICENSE:\n\n\`\`\`text\n${MIT_TEXT.trimEnd()}\n\`\`\``));
    assert.ok(section('inner@3.0.0').includes(`LICENCE.md:\n\n\`\`\`\`text\n${ISC_TEXT.trimEnd()}\n\`\`\`\``));
    assert.match(
      section('@scope/gpl@1.0.0'),
      /License: GPL-3\.0\. In out\/a\.js\.\n\nCOPYING:\n\n```text\nGNU GENERAL PUBLIC LICENSE\n```/,
    );
  });

  test('the CycloneDX fragment names each package with its npm purl and license', () => {
    const bom = cycloneDxFragment(result.packages, { name: 'app', version: '0.1.0' }) as {
      metadata: { component: { purl: string } };
      components: Array<{ name: string; purl: string; licenses: unknown }>;
    };
    assert.equal(bom.metadata.component.purl, 'pkg:npm/app@0.1.0');
    assert.deepEqual(
      bom.components.map(({ name, purl, licenses }) => ({ name, purl, licenses })),
      [
        { name: '@scope/gpl', purl: 'pkg:npm/%40scope/gpl@1.0.0', licenses: [{ license: { id: 'GPL-3.0' } }] },
        { name: 'good', purl: 'pkg:npm/good@1.0.0', licenses: [{ license: { id: 'MIT' } }] },
        { name: 'inner', purl: 'pkg:npm/inner@3.0.0', licenses: [{ license: { id: 'ISC' } }] },
        { name: 'unlicensed', purl: 'pkg:npm/unlicensed@2.0.0', licenses: [{ license: { id: 'MIT' } }] },
      ],
    );
  });
});
