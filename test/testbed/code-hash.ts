import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = fileURLToPath(new URL('.', import.meta.url));

/**
 * A hash of the test bed's own code (this directory). Stored at start; `status` reports a test bed
 * running older code as unhealthy, so `npm test` restarts it instead of measuring with a stale verifier.
 */
export async function testbedCodeHash(): Promise<string> {
  const files = (await readdir(HERE, { recursive: true })).filter((f) => /\.(ts|c)$/.test(f)).sort();
  const hash = createHash('sha256');
  for (const file of files)
    hash
      .update(file)
      .update('\0')
      .update(await readFile(join(HERE, file)))
      .update('\0');
  return hash.digest('hex').slice(0, 16);
}
