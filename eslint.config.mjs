import { createRequire } from 'node:module';
import { dirname, relative, resolve } from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// ESLint's own glob matcher, so the fences match paths exactly as ESLint matches `files`.
const matcher = createRequire(import.meta.resolve('eslint'))('minimatch');
const minimatch = typeof matcher === 'function' ? matcher : matcher.minimatch;

const ROOT = import.meta.dirname;

/**
 * `fences/no-import-from`: a file may not import a module of this project whose path (from the
 * project root, resolved from the relative specifier) matches one of `forbidden` (globs). Unlike
 * `no-restricted-imports`, it sees where `'../../adapters/logger'` actually points, at any depth.
 */
const fences = {
  rules: {
    'no-import-from': {
      meta: {
        type: 'problem',
        schema: [
          {
            type: 'object',
            properties: { forbidden: { type: 'array', items: { type: 'string' } }, why: { type: 'string' } },
            required: ['forbidden', 'why'],
            additionalProperties: false,
          },
        ],
      },
      create(context) {
        const { forbidden, why } = context.options[0];
        const check = (node) => {
          const specifier = node.source?.value;
          if (typeof specifier !== 'string' || !specifier.startsWith('.')) return;
          const target = relative(ROOT, resolve(dirname(context.filename), specifier));
          const fence = forbidden.find((glob) => minimatch(target, glob) || minimatch(`${target}/`, glob));
          if (fence) context.report({ node: node.source, message: `${specifier} is under ${fence}: ${why}` });
        };
        return {
          ImportDeclaration: check,
          ExportNamedDeclaration: check,
          ExportAllDeclaration: check,
          ImportExpression: check,
        };
      },
    },
  },
};

/** Packages no module of the domain, or of the agent-facing client, may use. */
const AWS_AND_SLACK = [
  '@aws-sdk/*',
  '@aws-lambda-powertools/*',
  'aws-cdk-lib',
  'aws-cdk-lib/*',
  'aws-lambda',
  '@slack/*',
];

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', '.stepup/', 'test-results/'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    // Type-aware: a promise nobody awaits loses its rejection (and, in a Lambda, its work).
    files: ['**/*.ts', '**/*.mts'],
    languageOptions: {
      parserOptions: {
        projectService: {
          allowDefaultProject: [
            'scripts/write-openapi.ts',
            'scripts/write-confusables.ts',
            'scripts/write-generated.ts',
          ],
        },
        tsconfigRootDir: ROOT,
      },
    },
    rules: { '@typescript-eslint/no-floating-promises': 'error' },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', process: 'readonly', console: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  // Fences. test/unit/lint-fences.test.ts plants a violation of each and expects it refused.
  {
    files: ['lambdas/**/*.ts', 'lib/**/*.ts'],
    plugins: { fences },
    rules: {
      'fences/no-import-from': [
        'error',
        { forbidden: ['local/**'], why: 'the deployed code never depends on the local runtime' },
      ],
    },
  },
  {
    files: ['lambdas/domain/**/*.ts'],
    plugins: { fences },
    rules: {
      'fences/no-import-from': [
        'error',
        {
          forbidden: [
            'lambdas/adapters/**',
            'lambdas/handlers/**',
            'lambdas/api/**',
            'lambdas/loaders/**',
            'lib/**',
            'local/**',
            'client/**',
          ],
          why: 'the domain is pure: it uses ports and the contract, never adapters, handlers or HTTP',
        },
      ],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [...AWS_AND_SLACK, '@cedar-policy/*', 'jose', '@humanwhocodes/*'],
              message: 'the domain imports no AWS, Slack, Cedar, JOSE or HTTP library; add a port instead',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['lambdas/contract.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['*'], message: 'the contract is shared with client/ and imports nothing' }] },
      ],
    },
  },
  {
    files: ['client/**/*.ts'],
    plugins: { fences },
    rules: {
      'fences/no-import-from': [
        'error',
        {
          forbidden: ['lambdas/adapters/**', 'lambdas/handlers/**', 'local/**'],
          why: 'the agent-facing client uses the shared contract and the domain, never server internals',
        },
      ],
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: AWS_AND_SLACK, message: 'client/ stays free of AWS and Slack packages' }] },
      ],
    },
  },
);
