// drizzle-kit under `rdsiam exec -- npx drizzle-kit migrate`. drizzle-kit takes no password function, so the token
// comes from the environment rdsiam exec sets. With a DSN that dials the endpoint itself, `url: DATABASE_URL` is
// enough. Through a tunnel or an IP, node-postgres cannot dial one address while checking another name from a URL,
// so this config dials PGHOSTADDR and checks the certificate against PGHOST, the endpoint the token names.
import { readFileSync } from 'node:fs';
import { checkServerIdentity } from 'node:tls';
import { defineConfig } from 'drizzle-kit';

const { PGHOST, PGHOSTADDR, PGPORT, PGUSER, PGPASSWORD, PGDATABASE, PGSSLROOTCERT } = process.env;
if (!PGHOST || !PGSSLROOTCERT || !PGDATABASE) throw new Error('run drizzle-kit through `rdsiam exec --`');

export default defineConfig({
  dialect: 'postgresql',
  out: './drizzle',
  dbCredentials: {
    host: PGHOSTADDR ?? PGHOST,
    port: Number(PGPORT),
    user: PGUSER,
    password: PGPASSWORD,
    database: PGDATABASE,
    ssl: {
      ca: readFileSync(PGSSLROOTCERT, 'utf8'),
      checkServerIdentity: (_host, cert) => checkServerIdentity(PGHOST, cert),
    },
  },
});
