// The types of packages.cjs: each function returns the package's CommonJS exports, or undefined.
declare const packages: {
  pg(): unknown;
  mysql2(): unknown;
  mysql2Promise(): unknown;
  rdsSigner(): unknown;
  dsqlSigner(): unknown;
  credentialProviders(): unknown;
  clientRds(): unknown;
  clientSts(): unknown;
  clientIam(): unknown;
  sslProfiles(): unknown;
  cosmiconfig(): unknown;
};
export = packages;
