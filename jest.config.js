// Jest runs on the pinned Node 24 with --experimental-vm-modules (see package.json), which lets it
// require() ESM packages natively (NestJS 12, jose, cockatiel). SWC compiles our TypeScript with
// decorator metadata.

const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2023',
    },
    module: { type: 'commonjs' },
  },
];

const moduleNameMapper = {
  '^@app/([a-z-]+)$': '<rootDir>/libs/$1/src',
  // A lib's test doubles, for specs only (see eslint.config.mjs).
  '^@app/([a-z-]+)/testing$': '<rootDir>/libs/$1/src/testing',
};

const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j|mj)s$': swc },
  moduleNameMapper,
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs}/**/src/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts', '<rootDir>/apps/*/test/**/*.e2e-spec.ts'],
      // A Redis for the Redis-backed suites: the one at REDIS_URL, else a private one, else a
      // one-line hint (test/support/global-setup.ts). Runs only when e2e tests are selected.
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
  // Global, not per project: Jest ignores testTimeout inside `projects` (it was silently 5 s). The
  // e2e hooks start real servers, a sandbox and Redis, which takes seconds on a loaded machine.
  testTimeout: 30000,
};
