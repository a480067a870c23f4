// `npm run openapi` writes apps/<app>/openapi.json from the code (controllers and DTOs);
// `npm run openapi:check` fails when a committed spec differs from what the code generates (CI).
// The apps are loaded from their TypeScript sources through SWC (the same compiler jest uses,
// scripts/ts-loader.mjs), so no build is needed.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import prettier from 'prettier';
import { installTsLoader, root } from './ts-loader.mjs';

const check = process.argv.includes('--check');
const require = installTsLoader();

require('reflect-metadata');
const { loadConfig } = require(join(root, 'libs/config/src/index.ts'));
const { openApiDocumentOf } = require(join(root, 'libs/platform/src/index.ts'));

const apps = [
  ['web-bff', 'web-bff.app.ts', 'createWebBff', 'web-bff.openapi.ts', 'WEB_BFF_OPENAPI'],
  [
    'mobile-bff',
    'mobile-bff.app.ts',
    'createMobileBff',
    'mobile-bff.openapi.ts',
    'MOBILE_BFF_OPENAPI',
  ],
  ['admin-bff', 'admin-bff.app.ts', 'createAdminBff', 'admin-bff.openapi.ts', 'ADMIN_BFF_OPENAPI'],
];

// Defaults only: the document must not depend on the machine it is generated on.
const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });
let drift = 0;
for (const [name, appFile, factory, infoFile, infoName] of apps) {
  const create = require(join(root, 'apps', name, 'src', appFile))[factory];
  const info = require(join(root, 'apps', name, 'src', infoFile))[infoName];
  const app = await create(config);
  const document = openApiDocumentOf(app, info);
  await app.close();
  const file = join(root, 'apps', name, 'openapi.json');
  // Formatted as `prettier --check .` expects it.
  const options = (await prettier.resolveConfig(file)) ?? {};
  const text = await prettier.format(JSON.stringify(document), { ...options, filepath: file });
  let current;
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    current = undefined;
  }
  if (check) {
    if (current !== text) {
      drift++;
      console.error(
        `${name}: apps/${name}/openapi.json differs from the code; run npm run openapi`,
      );
    } else console.log(`${name}: openapi.json is up to date`);
  } else if (current !== text) {
    writeFileSync(file, text);
    console.log(`${name}: wrote apps/${name}/openapi.json`);
  } else console.log(`${name}: openapi.json unchanged`);
}
process.exit(drift > 0 ? 1 : 0);
