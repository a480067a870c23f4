// `npm start`'s first step, before any build: (1) validate the configuration from the sources, so
// a bad value stops start-up in a second naming the variable; (2) build only when a source
// changed since the last build (`dist/.sources.sha256`).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { isBuildCurrent, sourceFingerprint } from './build-stamp.mjs';
import { installTsLoader, root } from './ts-loader.mjs';

// The config lib from its TypeScript sources (SWC, as jest and `npm run openapi` do): no build.
const require = installTsLoader();
require('reflect-metadata');
const { loadConfig, ConfigValidationError } = require(join(root, 'libs/config/src/index.ts'));
try {
  loadConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigValidationError)) throw error;
  process.stderr.write(`${error.message}\n(npm start stopped before building)\n`);
  process.exit(1);
}

const fingerprint = sourceFingerprint(root);
if (isBuildCurrent(join(root, 'dist'), fingerprint)) {
  console.log('build is up to date (no source changed since the last build)');
} else {
  const build = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], {
    cwd: root,
    stdio: 'inherit',
  });
  process.exit(build.status ?? 1);
}
