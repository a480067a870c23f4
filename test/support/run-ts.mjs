// Runs a TypeScript entry point from source, e.g. `node test/support/run-ts.mjs apps/web-bff/src/main.ts`,
// compiled on the fly by SWC with jest's settings and the `@app/*` aliases resolved. E2E specs spawn
// real BFF processes with it, independent of a previous `npm run build` (and of a stale dist/).
import { resolve } from 'node:path';
import { installTsLoader, root } from '../../scripts/ts-loader.mjs';

installTsLoader({ sourceMaps: 'inline' })(resolve(root, process.argv[2]));
