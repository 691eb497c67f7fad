import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CedarPolicyEvaluator } from '../../lambdas/adapters/cedar/cedar-policy-evaluator';
import { cedar } from '../../lambdas/adapters/cedar/cedar-wasm';
import { evaluationSchema } from '../../lambdas/adapters/cedar/evaluation-schema';
import { historyReads, type PolicyJson } from '../../lambdas/adapters/cedar/history-reads';
import { loadPolicySet } from '../../lambdas/adapters/cedar/policy-set-loader';
import { historyOf } from '../../lambdas/domain/agents/agent-history';
import { HISTORY_LEAVES, historyAt } from '../../lambdas/domain/agents/history-use';
import { approvalPolicy } from '../../lambdas/domain/policy/policy-decision';
import { decisionView } from '../../lambdas/domain/votes/decision-view';
import { loadPolicyTests } from '../../lambdas/loaders/policy-test-files';
import { testConfig } from './support';

/** The leaves of `context.history` that one policy's `when` clause reads. */
function readsOf(condition: string): readonly string[] {
  const json = cedar.policyToJson(`permit (principal, action, resource) when { ${condition} };`);
  if (json.type === 'failure') throw new Error(json.errors.map((e) => e.message).join('; '));
  return historyReads([json.json as PolicyJson]);
}

describe('which leaves of context.history a policy reads', () => {
  it('is exactly the leaves its attribute chains reach, however they are written', () => {
    expect(readsOf('context.history.action.last_hour.requests > 2')).toEqual(['action.last_hour.requests']);
    expect(readsOf('context["history"]["overall"]["pending"] > 0')).toEqual(['overall.pending']);
    expect(readsOf('context.approved && context.signals has ticket')).toEqual([]);
    expect(
      readsOf(
        'context.history.action_on_resource.last_24h.denied > 1 || context.history.overall.pending > 3',
      ),
    ).toEqual(['overall.pending', 'action_on_resource.last_24h.denied']);
  });

  it('takes a whole record wherever one is used whole, tested with has, or compared', () => {
    expect(readsOf('context.history.action.last_24h == context.history.overall.last_24h')).toEqual([
      'overall.last_24h.requests',
      'overall.last_24h.approved',
      'overall.last_24h.denied',
      'overall.last_24h.expired',
      'action.last_24h.requests',
      'action.last_24h.approved',
      'action.last_24h.denied',
      'action.last_24h.expired',
    ]);
    expect(readsOf('context has history.action')).toHaveLength(9);
    expect(readsOf('context has history')).toEqual(HISTORY_LEAVES);
    expect(readsOf('context == context')).toEqual(HISTORY_LEAVES);
    expect(readsOf('{ "Value": context.history }.Value.overall.pending > 0')).toEqual(HISTORY_LEAVES);
    expect(readsOf('[context.history.overall].contains(context.history.action)')).toHaveLength(18);
  });

  it('of the shipped policies: the two leaves their examples read', () => {
    const set = loadPolicySet('policies', testConfig());
    expect(set.historyUse).toEqual(['action.last_hour.requests', 'action.last_24h.denied']);
    const context = set.evaluationSchema['']?.actions['db:DeleteRows']?.appliesTo?.context;
    expect(context).toMatchObject({
      type: 'Record',
      attributes: {
        history: {
          type: 'Record',
          attributes: {
            action: {
              type: 'Record',
              attributes: {
                last_hour: { type: 'Record', attributes: { requests: { type: 'Long' } } },
                last_24h: { type: 'Record', attributes: { denied: { type: 'Long' } } },
              },
            },
          },
        },
      },
    });
  });

  it('none when no policy reads history: the evaluation schema then leaves history out', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'stepup-no-history-')), 'policies');
    cpSync('policies', dir, { recursive: true });
    writeFileSync(
      join(dir, 'stepup.cedar'),
      '@id("read-logs")\npermit (principal, action == Action::"logs:Read", resource);\n',
    );
    writeFileSync(join(dir, 'log-only.cedar'), '');
    const set = loadPolicySet(dir, testConfig(), dir);
    expect(set.historyUse).toEqual([]);
    const context = set.evaluationSchema['']?.actions['logs:Read']?.appliesTo?.context;
    expect(context && 'attributes' in context ? Object.keys(context.attributes) : []).not.toContain(
      'history',
    );
  });
});

describe('deciding with only the leaves the policies read', () => {
  const config = testConfig();
  const set = loadPolicySet('policies', config);
  const pruned = approvalPolicy(new CedarPolicyEvaluator(set), config);
  // The same policies evaluated with the whole history, as the schema declares it.
  const whole = approvalPolicy(
    new CedarPolicyEvaluator({
      ...set,
      historyUse: HISTORY_LEAVES,
      evaluationSchema: evaluationSchema(
        (
          cedar.schemaToJson(readFileSync('policies/stepup.cedarschema', 'utf8')) as {
            json: typeof set.evaluationSchema;
          }
        ).json,
        HISTORY_LEAVES,
      ),
    }),
    config,
  );
  const cases = loadPolicyTests('policies/tests');
  // Every shipped case, and each again with every counter past each example's threshold.
  const busy = historyOf(
    Object.fromEntries(
      (['overall', 'action', 'action_on_resource'] as const).map((scope) => [
        scope,
        {
          last_hour: { requests: 5, approved: 3, denied: 3, expired: 1 },
          last_24h: { requests: 9, approved: 4, denied: 4, expired: 2 },
          pending: 2,
        },
      ]),
    ),
  );
  const questions = cases.flatMap((c) => [c.question, { ...c.question, history: busy }]);

  it.each(questions.map((q, i) => [i, `${q.action} on ${q.resource}`, q] as const))(
    'decides as with the whole history (%i: %s)',
    (_i, _name, question) => {
      const expected = whole.decide(question);
      const actual = pruned.decide(question);
      expect(decisionView(actual)).toEqual(decisionView(expected));
      expect(actual.logOnly).toEqual(expected.logOnly);
    },
  );

  it('sends Cedar only those leaves', () => {
    expect(historyAt(busy, pruned.historyUse)).toEqual({
      action: { last_hour: { requests: 5 }, last_24h: { denied: 4 } },
    });
  });
});
