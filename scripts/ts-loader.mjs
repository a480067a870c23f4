// Loads the apps and libs from their TypeScript sources, without a build: `.ts` files are compiled
// on require by SWC (jest's settings) and `@app/<lib>` resolves to libs/<lib>/src, as in
// tsconfig.json and jest.config.js. Used by the scripts (openapi, graphql:schema, prestart) and by
// test/support/run-ts.mjs.
import { readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformSync } from '@swc/core';

/** The repository's root directory. */
export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

let installed = false;

/**
 * Installs the hook (once per process) and returns a `require` that loads `.ts` sources.
 * `sourceMaps: 'inline'` keeps stack traces on the TypeScript lines (for long-running processes).
 */
export function installTsLoader({ sourceMaps = false } = {}) {
  if (!installed) {
    installed = true;
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
        sourceMaps,
      });
      module._compile(code, filename);
    };
  }
  return createRequire(import.meta.url);
}
