// Runs a TypeScript entry point from source, e.g. `node test/support/run-ts.mjs apps/web-bff/src/main.ts`,
// compiled on the fly by SWC with jest's settings and the `@app/*` aliases resolved. E2E specs spawn
// real BFF processes with it, independent of a previous `npm run build` (and of a stale dist/).
import { readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformSync } from '@swc/core';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const swc = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2023',
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

Module._extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(readFileSync(filename, 'utf8'), { ...swc, filename });
  module._compile(code, filename);
};

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const alias = /^@app\/([a-z-]+)$/.exec(request);
  const target = alias === null ? request : resolve(root, 'libs', alias[1], 'src');
  return resolveFilename.call(this, target, ...rest);
};

createRequire(import.meta.url)(resolve(root, process.argv[2]));
