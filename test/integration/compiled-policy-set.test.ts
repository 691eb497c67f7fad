import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  cedarPolicyFromCompiledSet,
  COMPILED_POLICY_SET_FILE,
  serializePolicySet,
} from '../../lambdas/adapters/cedar/compiled-policy-set';
import { cedarPolicyFromDirectory } from '../../lambdas/adapters/cedar/policy-directory';
import { loadPolicySet } from '../../lambdas/adapters/cedar/policy-set-loader';
import type { PolicyQuestion } from '../../lambdas/ports/approval-policy';
import { testConfig } from './support';

describe('the policy set compiled at synth decides exactly as the validated directory', () => {
  const config = testConfig();
  const set = loadPolicySet('policies', config);
  const path = join(mkdtempSync(join(tmpdir(), 'stepup-compiled-')), COMPILED_POLICY_SET_FILE);
  writeFileSync(path, serializePolicySet(set));
  const compiled = cedarPolicyFromCompiledSet(config, path);
  const directory = cedarPolicyFromDirectory(config, 'policies');

  const actions = [...set.actions, 'db:NotDeclared'];
  const resources = ['prod/orders', 'staging/orders', 'orders', 'prod/treasury'];
  const variants: Partial<PolicyQuestion>[] = [
    {},
    { humanVerified: true, onBehalfOf: 'carol@example.com' },
    { signals: { incident: 'INC-1' } },
    { signals: { ticket: 'CHG-9' }, requestedTtlSeconds: 600 },
  ];

  it(`for ${actions.length} actions × ${resources.length} resources × ${variants.length} contexts`, () => {
    for (const action of actions) {
      for (const resource of resources) {
        for (const variant of variants) {
          const question: PolicyQuestion = {
            agent: 'deploy-bot',
            action,
            resource,
            audience: 'orders-db',
            humanVerified: false,
            requestedTtlSeconds: 0,
            signals: {},
            ...variant,
          };
          expect(compiled.decide(question), `${action} ${resource}`).toEqual(directory.decide(question));
        }
      }
    }
  });

  it('refuses a file that is not a compiled policy set', () => {
    const bad = join(mkdtempSync(join(tmpdir(), 'stepup-compiled-')), COMPILED_POLICY_SET_FILE);
    writeFileSync(bad, JSON.stringify({ policies: [] }));
    expect(() => cedarPolicyFromCompiledSet(config, bad)).toThrow('is not a compiled stepup policy set');
  });
});
