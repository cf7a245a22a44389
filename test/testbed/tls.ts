import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand } from './run-command.js';

export interface TlsFiles {
  ca: string;
  cert: string;
  key: string;
}

/**
 * A test CA and one server certificate whose SAN covers every test hostname plus localhost and
 * 127.0.0.1, so verify-full works by name or by address. Made with the openssl CLI and reused while
 * the SAN list is unchanged.
 */
export async function ensureCertificates(dir: string, hostnames: readonly string[]): Promise<TlsFiles> {
  const files = { ca: join(dir, 'ca.pem'), cert: join(dir, 'server.pem'), key: join(dir, 'server.key') };
  const sans = [...hostnames, 'localhost']
    .map((h) => `DNS:${h}`)
    .concat('IP:127.0.0.1')
    .join(',');
  const stamp = join(dir, 'san.txt');
  const cached = await readFile(stamp, 'utf8').catch(() => '');
  const present = await Promise.all(
    Object.values(files).map((f) =>
      access(f).then(
        () => true,
        () => false,
      ),
    ),
  );
  if (cached === sans && present.every(Boolean)) return files;

  await mkdir(dir, { recursive: true, mode: 0o700 });
  const caKey = join(dir, 'ca.key');
  const openssl = (...args: string[]) => runCommand('openssl', args, { cwd: dir });
  await openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', caKey);
  await openssl(
    'req',
    '-x509',
    '-new',
    '-key',
    caKey,
    '-sha256',
    '-days',
    '3650',
    '-subj',
    '/CN=rdsiam test bed CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
    '-out',
    files.ca,
  );
  await openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', files.key);
  const csr = join(dir, 'server.csr');
  await openssl('req', '-new', '-key', files.key, '-subj', `/CN=${hostnames[0] ?? 'localhost'}`, '-out', csr);
  const ext = join(dir, 'server.ext');
  await writeFile(
    ext,
    `subjectAltName=${sans}\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n`,
  );
  await openssl(
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    files.ca,
    '-CAkey',
    caKey,
    '-CAcreateserial',
    '-sha256',
    '-days',
    '825',
    '-extfile',
    ext,
    '-out',
    files.cert,
  );
  await writeFile(stamp, sans);
  return files;
}
