import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.jest } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      // Libraries are used through their public index only.
      'no-restricted-imports': ['error', { patterns: ['@app/*/*', '**/libs/*/src/*'] }],
      // Configuration is read once, in the config lib.
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration through @app/config.' },
      ],
    },
  },
  {
    files: [
      'libs/config/src/**',
      'scripts/**',
      'bench/**',
      'test/**',
      '**/*.spec.ts',
      '**/*.e2e-spec.ts',
      '*.js',
      '*.mjs',
    ],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    // Specs and test doubles may also use a lib's test doubles (`@app/<lib>/testing`), which
    // index.ts leaves out.
    files: ['**/*.spec.ts', '**/*.test-doubles.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['@app/*/*', '!@app/*/testing', '**/libs/*/src/*'] },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  prettier,
);
