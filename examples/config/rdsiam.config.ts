// rdsiam.config.ts: typed by defineConfig. Needs tsx, a Node that strips types, or the typescript package.
import { defineConfig } from 'rdsiam';

export default defineConfig({
  dsn: 'postgres://admin@abcdefghijklmnopqrstuvwxyz.dsql.us-east-1.on.aws/postgres',
  plugins: ['iam_dsql'],
  iam_expiration: 3600,
  aws_credentials_source: 'web_identity',
  connections: {
    app: { dsn: 'postgres://app_role@abcdefghijklmnopqrstuvwxyz.dsql.us-east-1.on.aws/postgres' },
  },
});
