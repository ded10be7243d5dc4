// Lint rules for doctorkit (npm test runs them). Formatting is prettier's job (.prettierrc.json).
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

// Checks and target code see the machine only through the check context (src/context.ts), so
// that every read is memoised, bounded, abortable and fakeable in one place (docs/ARCHITECTURE.md).
const machineModules = ['fs', 'fs/promises', 'child_process', 'net', 'http', 'https', 'dgram', 'os']
const noDirectMachine = {
  '@typescript-eslint/no-restricted-imports': [
    'error',
    {
      paths: machineModules
        .flatMap((m) => [m, `node:${m}`])
        .map((name) => ({
          name,
          allowTypeImports: true,
          message:
            'checks/ and target code reach the machine only through the check context (ctx.files, ctx.processes, ctx.sockets, ctx.http …).',
        })),
    },
  ],
}

export default tseslint.config(
  {ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'oclif.manifest.json', 'bench/results/**']},
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        URL: 'readonly',
        TextDecoder: 'readonly',
        TextEncoder: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        fetch: 'readonly',
        queueMicrotask: 'readonly',
        structuredClone: 'readonly',
      },
    },
    rules: {
      // Matching control characters is the point of the code that neutralises them (terminal
      // escapes in machine-sourced text, XML-invalid bytes in JUnit): the rule would forbid the fix.
      'no-control-regex': 'off',
      '@typescript-eslint/no-unused-vars': ['error', {argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none'}],
    },
  },
  {
    // bin/ is CommonJS (bin/package.json) but for root-pjson.mjs.
    files: ['**/*.cjs', 'bin/*.js'],
    languageOptions: {sourceType: 'commonjs', globals: {require: 'readonly', module: 'writable', __filename: 'readonly'}},
    rules: {'@typescript-eslint/no-require-imports': 'off'},
  },
  {files: ['checks/**/*.ts', 'src/generic/**/*.ts', 'src/targets/**/*.ts'], rules: noDirectMachine},
)
