// `npm run graphql:schema` writes apps/<app>/schema.graphql (the SDL of /graphql) from the code;
// `npm run graphql:schema:check` fails when a committed schema differs from what the code builds
// (CI), and lists each change with @graphql-inspector/core: BREAKING ones are what clients of
// the last released schema would notice. Loaded from the TypeScript sources (as openapi.mjs).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import prettier from 'prettier';
import { installTsLoader, root } from './ts-loader.mjs';

const check = process.argv.includes('--check');
const require = installTsLoader();

require('reflect-metadata');
const { buildSchema, printSchema } = require('graphql');
const { GraphQLSchemaHost } = require('@nestjs/graphql');
const { diff } = require('@graphql-inspector/core');
const { loadConfig } = require(join(root, 'libs/config/src/index.ts'));

const apps = [
  ['web-bff', 'web-bff.app.ts', 'createWebBff'],
  ['mobile-bff', 'mobile-bff.app.ts', 'createMobileBff'],
];

// Defaults only: the schema must not depend on the machine it is generated on.
const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });
let drift = 0;
for (const [name, appFile, factory] of apps) {
  const create = require(join(root, 'apps', name, 'src', appFile))[factory];
  const app = await create(config);
  await app.init();
  const sdl = printSchema(app.get(GraphQLSchemaHost).schema);
  await app.close();
  const file = join(root, 'apps', name, 'schema.graphql');
  // Formatted as `prettier --check .` expects it.
  const options = (await prettier.resolveConfig(file)) ?? {};
  const text = await prettier.format(sdl, { ...options, filepath: file });
  let current;
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    current = undefined;
  }
  if (!check) {
    if (current !== text) {
      writeFileSync(file, text);
      console.log(`${name}: wrote apps/${name}/schema.graphql`);
    } else console.log(`${name}: schema.graphql unchanged`);
    continue;
  }
  if (current === text) {
    console.log(`${name}: schema.graphql is up to date`);
    continue;
  }
  drift++;
  console.error(
    `${name}: apps/${name}/schema.graphql differs from the code; run npm run graphql:schema`,
  );
  if (current !== undefined) {
    const changes = await diff(buildSchema(current), buildSchema(text));
    for (const change of changes) {
      console.error(`  ${change.criticality.level}: ${change.message}`);
    }
    const breaking = changes.filter((c) => c.criticality.level === 'BREAKING').length;
    if (breaking > 0) console.error(`  ${breaking} breaking change(s) for existing clients`);
  }
}
process.exit(drift > 0 ? 1 : 0);
