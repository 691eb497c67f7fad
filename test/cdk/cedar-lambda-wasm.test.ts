/**
 * The policy functions carry Cedar's wasm trimmed to the calls their code makes
 * (`scripts/cedar-lambda-wasm.mjs`, `CEDAR_LAMBDA_CALLS`). Here: no bundled source calls another
 * Cedar function, and the trimmed module loads with Cedar's own glue and decides as the whole module
 * does. The deployed-bundle suite runs every scenario on it.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HANDLER_FILES } from '../../lib/handlers';
import { CEDAR_LAMBDA_CALLS, CEDAR_WASM } from '../../lib/policy-assets';
import { POLICY_FUNCTIONS } from '../../lib/step-up-approval';
import { PROJECT_ROOT } from '../../lib/step-up-function';
import { buildHandlerBundle } from './handler-bundle';

const CEDAR_DIR = dirname(CEDAR_WASM);
const scratch = mkdtempSync(join(tmpdir(), 'stepup-cedar-wasm-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Cedar's nodejs glue beside `wasm`, loaded in this process. */
function cedarWith(wasm: string, dir: string): Record<string, (...args: unknown[]) => unknown> {
  copyFileSync(join(CEDAR_DIR, 'cedar_wasm.js'), join(dir, 'cedar_wasm.js'));
  copyFileSync(wasm, join(dir, basename(CEDAR_WASM)));
  return createRequire(join(dir, 'index.js'))('./cedar_wasm.js') as Record<
    string,
    (...args: unknown[]) => unknown
  >;
}

describe("the policy functions' Cedar module", () => {
  it.each(POLICY_FUNCTIONS)('%s: its bundled code calls only the kept Cedar functions', (name) => {
    const handlerFile = HANDLER_FILES[name];
    const metafile = buildHandlerBundle(handlerFile, join(scratch, handlerFile));
    const ours = Object.keys(metafile.inputs).filter((input) => !input.includes('node_modules/'));
    const calls = ours.flatMap((input) =>
      [...readFileSync(join(PROJECT_ROOT, input), 'utf8').matchAll(/\bcedar\.([A-Za-z]+)\(/g)].map(
        (m) => m[1],
      ),
    );
    expect(calls.length).toBeGreaterThan(0);
    for (const call of calls) expect(CEDAR_LAMBDA_CALLS).toContain(call);
  });

  it('is smaller, keeps exactly the calls, and decides as the whole module does', () => {
    const trimmed = join(scratch, 'trimmed.wasm');
    execFileSync(process.execPath, [
      join(PROJECT_ROOT, 'scripts', 'cedar-lambda-wasm.mjs'),
      CEDAR_WASM,
      trimmed,
      CEDAR_LAMBDA_CALLS.join(','),
    ]);
    expect(statSync(trimmed).size).toBeLessThan(0.9 * statSync(CEDAR_WASM).size);
    const exports = WebAssembly.Module.exports(new WebAssembly.Module(readFileSync(trimmed)))
      .filter((e) => e.kind === 'function' && !e.name.startsWith('__'))
      .map((e) => e.name);
    expect(exports.sort()).toEqual([...CEDAR_LAMBDA_CALLS].sort());

    const whole = cedarWith(CEDAR_WASM, mkdtempSync(join(scratch, 'whole-')));
    const lean = cedarWith(trimmed, mkdtempSync(join(scratch, 'lean-')));
    const schema = {
      App: {
        entityTypes: { User: {}, Doc: {} },
        actions: {
          read: {
            appliesTo: {
              principalTypes: ['User'],
              resourceTypes: ['Doc'],
              context: { type: 'Record', attributes: { ok: { type: 'Boolean' } } },
            },
          },
        },
      },
    };
    const policies = {
      staticPolicies: {
        p0: 'permit(principal, action == App::Action::"read", resource) when { context.ok };',
        p1: 'forbid(principal == App::User::"mallory", action, resource);',
      },
    };
    const decide = (cedar: typeof whole, principal: string, ok: unknown) => {
      expect(cedar.preparsePolicySet!('set', policies)).toMatchObject({ type: 'success' });
      expect(cedar.preparseSchema!('schema', schema)).toMatchObject({ type: 'success' });
      return cedar.statefulIsAuthorized!({
        principal: { type: 'App::User', id: principal },
        action: { type: 'App::Action', id: 'read' },
        resource: { type: 'App::Doc', id: 'd' },
        context: { ok },
        entities: [],
        preparsedPolicySetId: 'set',
        preparsedSchemaName: 'schema',
        validateRequest: true,
      });
    };
    for (const [principal, ok] of [
      ['alice', true],
      ['alice', false],
      ['mallory', true],
      ['alice', 'not a boolean'],
    ] as const) {
      const answer = decide(lean, principal, ok);
      expect(answer).toEqual(decide(whole, principal, ok));
    }
    expect(decide(lean, 'alice', true)).toMatchObject({ type: 'success', response: { decision: 'allow' } });
  });
});
