import { ESLint, type Linter } from 'eslint';
import { describe, expect, it } from 'vitest';

/*
 * Each fence of eslint.config.mjs, shown to hold: a planted violation is refused by the rule that
 * guards it, and the legitimate neighbour of each plant passes. The plants are linted as text at the
 * paths they would have; nothing is written to the tree.
 */

/** Path fences need no type information: linting without the project service keeps them fast. */
const untyped = new ESLint({
  overrideConfig: [
    {
      files: ['**/*.ts'],
      languageOptions: { parserOptions: { projectService: false, project: null } },
      rules: { '@typescript-eslint/no-floating-promises': 'off' },
    },
  ],
});

async function problems(eslint: ESLint, filePath: string, code: string): Promise<Linter.LintMessage[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages;
}

/** The rules that refused `code` at `filePath`. */
const refusedBy = async (filePath: string, code: string) =>
  (await problems(untyped, filePath, code)).map((message) => message.ruleId ?? message.message);

const FENCE = 'fences/no-import-from';
const PACKAGES = 'no-restricted-imports';

describe('the lint fences', () => {
  it('keep the domain free of adapters, handlers and the HTTP contract, at any depth', async () => {
    for (const [file, specifier] of [
      ['lambdas/domain/requests/planted.ts', '../../adapters/logger'],
      ['lambdas/domain/planted.ts', '../adapters/aws/table-clients'],
      ['lambdas/domain/planted.ts', '../handlers/health'],
      ['lambdas/domain/planted.ts', '../api/routes'],
      ['lambdas/domain/planted.ts', '../loaders/policy-workspace'],
    ] as const) {
      expect(
        await refusedBy(file, `import * as planted from '${specifier}';\nexport { planted };\n`),
        specifier,
      ).toEqual([FENCE]);
    }
    expect(
      await refusedBy('lambdas/domain/planted.ts', "export { ERROR_CODES } from '../contract';\n"),
    ).toEqual([]);
    expect(
      await refusedBy('lambdas/domain/planted.ts', "export type { Clock } from '../ports/clock';\n"),
    ).toEqual([]);
  });

  it('keep AWS, Slack, Cedar and JOSE out of the domain', async () => {
    for (const name of [
      '@aws-sdk/client-dynamodb',
      '@slack/web-api',
      '@cedar-policy/cedar-wasm/nodejs',
      'jose',
      'aws-lambda',
    ]) {
      expect(await refusedBy('lambdas/domain/planted.ts', `export * from '${name}';\n`), name).toEqual([
        PACKAGES,
      ]);
    }
  });

  it('keep the client out of adapters, handlers and the local runtime, and free of AWS and Slack', async () => {
    for (const specifier of [
      '../../lambdas/adapters/config-file',
      '../../lambdas/handlers/token',
      '../../local/runtime',
    ]) {
      expect(await refusedBy('client/cli/planted.ts', `export * from '${specifier}';\n`), specifier).toEqual([
        FENCE,
      ]);
    }
    for (const name of ['@aws-sdk/client-kms', '@slack/bolt']) {
      expect(await refusedBy('client/agent/planted.ts', `export * from '${name}';\n`), name).toEqual([
        PACKAGES,
      ]);
    }
    expect(await refusedBy('client/agent/planted.ts', "export * from '../../lambdas/contract';\n")).toEqual(
      [],
    );
  });

  it('keep lambdas/ and lib/ from importing the local runtime (the local adapters are not it)', async () => {
    expect(
      await refusedBy('lambdas/adapters/aws/planted.ts', "export * from '../../../local/runtime';\n"),
    ).toEqual([FENCE]);
    expect(await refusedBy('lib/planted.ts', "export * from '../local/runtime';\n")).toEqual([FENCE]);
    expect(
      await refusedBy('lambdas/handlers/planted.ts', "export * from '../adapters/local/local-key-signer';\n"),
    ).toEqual([]);
  });

  it('keep the shared contract free of imports', async () => {
    expect(await refusedBy('lambdas/contract.ts', "export * from './domain/errors';\n")).toEqual([PACKAGES]);
    expect(await refusedBy('lambdas/contract.ts', "export * from 'zod/mini';\n")).toEqual([PACKAGES]);
  });

  it(
    'refuse a floating promise (type-aware)',
    async () => {
      // An existing file of the project, with planted text: the project service types it.
      const typed = new ESLint();
      const planted = 'async function work(): Promise<void> {}\nwork();\nexport {};\n';
      const messages = await problems(typed, 'lambdas/domain/ids.ts', planted);
      expect(messages.map((m) => m.ruleId)).toEqual(['@typescript-eslint/no-floating-promises']);
      const awaited = await problems(
        typed,
        'lambdas/domain/ids.ts',
        planted.replace('work();', 'void work();'),
      );
      expect(awaited).toEqual([]);
    },
    // Loading the TypeScript project takes its time; the assertion waits on the lint result itself.
    300_000,
  );
});
