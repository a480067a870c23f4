// `npm start`'s first step, before any build: (1) validate the configuration from the sources, so
// a bad value stops start-up in a second naming the variable; (2) build only when a source
// changed since the last build (`dist/.sources.sha256`).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformSync } from '@swc/core';
import { isBuildCurrent, sourceFingerprint } from './build-stamp.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

// The config lib from its TypeScript sources (SWC, as jest and `npm run openapi` do): no build.
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const alias = /^@app\/([a-z-]+)$/.exec(request);
  return resolveFilename.call(
    this,
    alias ? join(root, 'libs', alias[1], 'src', 'index.ts') : request,
    ...rest,
  );
};
Module._extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(readFileSync(filename, 'utf8'), {
    filename,
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2023',
    },
    module: { type: 'commonjs' },
    sourceMaps: false,
  });
  module._compile(code, filename);
};

const require = createRequire(import.meta.url);
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
