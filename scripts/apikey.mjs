// `npm run apikey -- create --client acme --tier premium [--roles a,b] [--scopes x,y]`
// `npm run apikey -- revoke (--id ID | --client NAME)`, `npm run apikey -- list`
// Manages API keys in the store the BFFs use (AUTH_API_KEYS_STORE: Redis when REDIS_URL is set,
// else the AUTH_API_KEYS_FILE JSON file). A new key is printed once; only its SHA-256 is stored.
// Running BFFs pick up creations and revocations without a restart.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

const entry = resolve('dist/apps/admin-bff/libs/auth/src/api-key.cli.js');
if (!existsSync(entry)) {
  // The CLI is the auth lib's own code, compiled with the admin BFF.
  const built = spawnSync('npx', ['nest', 'build', 'admin-bff'], { stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}
const require = createRequire(import.meta.url);
require('reflect-metadata');
const { runApiKeyCli } = require(entry);
const { loadConfig, ConfigValidationError } = require(
  resolve('dist/apps/admin-bff/libs/config/src/index.js'),
);

let config;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (error instanceof ConfigValidationError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  throw error;
}
process.exitCode = await runApiKeyCli(process.argv.slice(2), config);
