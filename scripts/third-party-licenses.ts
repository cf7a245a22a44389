// The npm packages whose code the build bundles into dist/, found in esbuild's metafiles. Their licenses ship with
// the package (dist/THIRD_PARTY_LICENSES.md, and a CycloneDX list of them for SBOM tools, which see only declared
// dependencies); a package the build may not ship that way (no license file, or a license outside the allowlist)
// is a problem that fails the build.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Metafile } from 'esbuild';

/** Licenses that ask no more of rdsiam (MIT) than shipping their notice with the code. */
export const ALLOWED_LICENSES = ['MIT', 'ISC', 'BSD-2-Clause', 'BSD-3-Clause', 'Apache-2.0', '0BSD'];

const LICENSE_FILE = /^(licen[cs]e|copying)([.-].*)?$/i;
// Apache-2.0 (4d) asks for a package's NOTICE file to travel with it too.
const NOTICE_FILE = /^notice([.-].*)?$/i;
// The package directory of a bundled file: the path up to and including the name after its last node_modules/.
const PACKAGE_DIR = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//;

export interface BundledPackage {
  name: string;
  version: string;
  /** The package.json `license`, an SPDX id. */
  license: string;
  /** Its directory, relative to the build's working directory (node_modules/@babel/code-frame). */
  dir: string;
  /** Its license files (and NOTICE files), by file name, with their text. */
  files: Array<{ file: string; text: string }>;
  /** The output files holding its code (dist/index.js). */
  outputs: string[];
  /** The input files outside the package that import it: how it came into the bundle. */
  importers: string[];
}

export interface BundledLicenses {
  packages: BundledPackage[];
  /** One line per package that cannot ship, naming it and where it came in. Empty when all can. */
  problems: string[];
}

function packageDir(input: string): string | undefined {
  return PACKAGE_DIR.exec(input)?.[1];
}

/** Every npm package esbuild read for the builds whose metafiles these are, with `root` their working directory. */
export function bundledLicenses(metafiles: Metafile[], root: string): BundledLicenses {
  const outputsOf = new Map<string, Set<string>>();
  const importersOf = new Map<string, Set<string>>();
  const add = (map: Map<string, Set<string>>, dir: string, value: string) =>
    map.set(dir, (map.get(dir) ?? new Set()).add(value));
  for (const meta of metafiles) {
    for (const [input, { imports }] of Object.entries(meta.inputs)) {
      const dir = packageDir(input);
      for (const imported of imports) {
        const target = imported.external ? undefined : packageDir(imported.path);
        if (target && target !== dir) add(importersOf, target, input);
      }
    }
    for (const [output, { inputs }] of Object.entries(meta.outputs)) {
      for (const input of Object.keys(inputs)) {
        const dir = packageDir(input);
        if (dir) add(outputsOf, dir, output);
      }
    }
  }

  const byId = new Map<string, BundledPackage>();
  for (const [dir, outputs] of outputsOf) {
    const json = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as {
      name: string;
      version: string;
      license?: string | { type?: string };
    };
    const id = `${json.name}@${json.version}`;
    const known = byId.get(id);
    const importers = importersOf.get(dir) ?? new Set();
    if (known) {
      // The same version installed twice (nested node_modules): one entry, every way it came in.
      known.outputs = [...new Set([...known.outputs, ...outputs])].sort();
      known.importers = [...new Set([...known.importers, ...importers])].sort();
      continue;
    }
    const names = readdirSync(join(root, dir)).sort();
    byId.set(id, {
      name: json.name,
      version: json.version,
      license: (typeof json.license === 'string' ? json.license : json.license?.type) ?? '',
      dir,
      files: [...names.filter((f) => LICENSE_FILE.test(f)), ...names.filter((f) => NOTICE_FILE.test(f))].map(
        (file) => ({ file, text: readFileSync(join(root, dir, file), 'utf8') }),
      ),
      outputs: [...outputs].sort(),
      importers: [...importers].sort(),
    });
  }

  const packages = [...byId.values()].sort((a, b) => a.name.localeCompare(b.name) || a.dir.localeCompare(b.dir));
  const problems = packages.flatMap((p) => {
    const found = [];
    if (!p.files.some(({ file }) => LICENSE_FILE.test(file))) {
      found.push('has no license file (LICENSE, LICENCE, COPYING...) to ship with its code');
    }
    if (!ALLOWED_LICENSES.includes(p.license)) {
      found.push(
        `${p.license ? `is licensed "${p.license}"` : 'declares no license'}, not one of ${ALLOWED_LICENSES.join(', ')}`,
      );
    }
    const cameIn = `bundled into ${p.outputs.join(', ')}, imported by ${p.importers.join(', ') || 'an entry point'}`;
    return found.map((what) => `${p.name}@${p.version} (${p.dir}) ${what}; ${cameIn}`);
  });
  return { packages, problems };
}

/** A fence longer than any run of backticks in `text`, so that a license file cannot close it. */
function fenced(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}text\n${text.trimEnd()}\n${fence}`;
}

/** dist/THIRD_PARTY_LICENSES.md: one section per package, headed `## name@version`, with its license files' text. */
export function noticesMarkdown(packages: BundledPackage[]): string {
  const sections = packages.map((p) =>
    [
      `## ${p.name}@${p.version}`,
      `License: ${p.license}. In ${p.outputs.join(', ')}.`,
      ...p.files.map(({ file, text }) => `${file}:\n\n${fenced(text)}`),
    ].join('\n\n'),
  );
  return [
    '# Third-party licenses',
    "rdsiam's files in dist/ hold code from the npm packages below, bundled by its build (which lists them from " +
      "esbuild's metafile). Each one's license file follows. rdsiam's own license is LICENSE, at the top of the package.",
    ...sections,
  ]
    .join('\n\n')
    .concat('\n');
}

/**
 * dist/bundled.cdx.json: the bundled packages as CycloneDX 1.5 components, named as `npm sbom` names the declared
 * dependencies, with npm's own mark for a bundled package. No timestamp or serial number: the same build, the same file.
 */
export function cycloneDxFragment(packages: BundledPackage[], main: { name: string; version: string }): object {
  const purl = (p: { name: string; version: string }) => `pkg:npm/${p.name.replace(/^@/, '%40')}@${p.version}`;
  return {
    $schema: 'http://cyclonedx.org/schema/bom-1.5.schema.json',
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    version: 1,
    metadata: {
      component: {
        'bom-ref': `${main.name}@${main.version}`,
        type: 'library',
        name: main.name,
        version: main.version,
        purl: purl(main),
      },
    },
    components: packages.map((p) => ({
      'bom-ref': `${p.name}@${p.version}`,
      type: 'library',
      name: p.name,
      version: p.version,
      purl: purl(p),
      licenses: [{ license: { id: p.license } }],
      properties: [{ name: 'cdx:npm:package:bundled', value: 'true' }],
    })),
  };
}
