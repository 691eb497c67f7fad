import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DynamoDbRequestStore } from '../../lambdas/adapters/aws/dynamodb-request-store';
import { CedarPolicyEvaluator } from '../../lambdas/adapters/cedar/cedar-policy-evaluator';
import { cedarPolicyFromDirectory } from '../../lambdas/adapters/cedar/policy-directory';
import { approvalPolicy } from '../../lambdas/domain/policy/policy-decision';
import type { PolicyQuestion } from '../../lambdas/ports/approval-policy';
import type { PolicyEvaluator } from '../../lambdas/ports/policy-evaluator';
import { loadPolicySet, PolicyValidationError } from '../../lambdas/adapters/cedar/policy-set-loader';
import { createRequest } from '../../lambdas/domain/requests/create-request';
import { decisionView } from '../../lambdas/domain/votes/decision-view';
import { loadPolicyTests } from '../../lambdas/loaders/policy-test-files';
import type { OperationalMetric, OperationalMetrics } from '../../lambdas/ports/operational-metrics';
import { startLocalDynamoDb, type LocalDynamoDb } from '../../local/local-dynamodb';
import { fixedClock } from '../unit/support/fixtures';
import { testConfig } from './support';

const WATCH_EVERYTHING = `@id("watch-everything")
@mode("log_only")
forbid (principal, action, resource);
`;

function policiesWith(name: string, text: string): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'stepup-log-only-')), 'policies');
  cpSync('policies', dir, { recursive: true });
  writeFileSync(join(dir, name), text);
  return dir;
}

const config = testConfig();
const enforced = cedarPolicyFromDirectory(config, 'policies');
const watched = cedarPolicyFromDirectory(config, policiesWith('watch.cedar', WATCH_EVERYTHING));
const questions = loadPolicyTests('policies/tests').map((c) => c.question);

describe('a @mode("log_only") forbid', () => {
  it.each(questions.map((q) => [`${q.action} on ${q.resource}`, q] as const))(
    'never changes the decision, and always leaves its record: %s',
    (_name, question) => {
      const before = enforced.decide(question);
      const after = watched.decide(question);
      expect(decisionView(after)).toEqual(decisionView(before));
      if (question.action === 's3:DeleteBucket') {
        // Not in the schema: denied before any policy is read, log-only ones included.
        expect(after.logOnly).toBeUndefined();
        return;
      }
      expect(after.logOnly?.policies).toContainEqual({ id: 'watch-everything', effect: 'forbid' });
      expect(after.logOnly?.decision.kind).toBe('deny');
    },
  );

  it('is recorded in the audit trail by the write that creates the request, and counted', async () => {
    let db: LocalDynamoDb | undefined;
    try {
      db = await startLocalDynamoDb();
      const counted: { metric: OperationalMetric; dimensions?: Readonly<Record<string, string>> }[] = [];
      const metrics: OperationalMetrics = {
        count: (metric, dimensions) => counted.push({ metric, dimensions }),
      };
      const store = new DynamoDbRequestStore(db.client, db.tableName, metrics);
      const started: unknown[] = [];
      const input = {
        action: 'logs:Read',
        resource: 'prod/app-logs',
        audience: 'logs-api',
        justification: 'debugging',
        signals: {},
      };
      const created = await createRequest(
        {
          store,
          workflow: { start: async (i) => void started.push(i) },
          policy: watched,
          clock: fixedClock(),
        },
        'deploy-bot',
        input,
      );
      // Enforced, reading logs is auto-approved: the log-only forbid did not deny it.
      expect(created.status).toBe('approved');
      const stored = await store.get(created.auth_req_id);
      expect(stored?.status).toBe('APPROVED');
      expect(stored?.events.filter((e) => e.type === 'policy_log_only')).toEqual([
        {
          type: 'policy_log_only',
          at: expect.any(String),
          actor: 'policy',
          detail: {
            policy: 'watch-everything',
            effect: 'forbid',
            would_decide: 'deny',
            decided: 'auto_approve',
          },
          prev: expect.any(String),
        },
      ]);
      expect(counted).toContainEqual({
        metric: 'PolicyLogOnly',
        dimensions: { policy: 'watch-everything', wouldDecide: 'deny' },
      });
      expect(counted).toContainEqual({
        metric: 'RequestCreated',
        dimensions: { policyOutcome: 'auto_approve' },
      });
    } finally {
      await db?.close();
    }
  });
});

describe('@mode', () => {
  it('accepts enforce and log_only, and rejects anything else at load, with file and line', () => {
    const ok = policiesWith(
      'enforced.cedar',
      WATCH_EVERYTHING.replace('log_only', 'enforce').replace('watch-everything', 'all'),
    );
    expect(() => loadPolicySet(ok, config)).not.toThrow();
    const bad = policiesWith('shadow.cedar', WATCH_EVERYTHING.replace('log_only', 'shadow'));
    let thrown: unknown;
    try {
      loadPolicySet(bad, config);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(PolicyValidationError);
    expect((thrown as PolicyValidationError).problems).toEqual([
      expect.stringMatching(/shadow\.cedar:1:1: @mode\("shadow"\) must be one of "enforce", "log_only"$/),
    ]);
  });
});

describe('log-only policies cost no second evaluation unless one of them determines it', () => {
  const noLogOnly = (() => {
    const dir = join(mkdtempSync(join(tmpdir(), 'stepup-enforced-')), 'policies');
    cpSync('policies', dir, { recursive: true });
    rmSync(join(dir, 'log-only.cedar'));
    return dir;
  })();
  /** The shipped set (with its log-only policy), counting Cedar evaluations. */
  function counted(dir: string) {
    const evaluator = new CedarPolicyEvaluator(loadPolicySet(dir, config));
    const calls = { count: 0 };
    const counting: PolicyEvaluator = {
      actions: evaluator.actions,
      logOnlyPolicies: evaluator.logOnlyPolicies,
      historyUse: evaluator.historyUse,
      declaresAction: (action) => evaluator.declaresAction(action),
      evaluate: (...args) => {
        calls.count += 1;
        return evaluator.evaluate(...args);
      },
    };
    return { policy: approvalPolicy(counting, config), calls };
  }
  const shipped = counted('policies');
  const alone = counted(noLogOnly);
  const frozen = (q: PolicyQuestion): PolicyQuestion => ({
    ...q,
    signals: { ...q.signals, incident: 'INC-7' },
  });

  it.each(
    questions
      .flatMap((q) => [q, frozen(q)])
      .map((q) => [`${q.action} on ${q.resource} ${JSON.stringify(q.signals)}`, q] as const),
  )(
    'decides as the set without them, in as many evaluations when none of them determines it: %s',
    (_name, question) => {
      shipped.calls.count = 0;
      alone.calls.count = 0;
      let decided;
      try {
        decided = shipped.policy.decide(question);
      } catch (error) {
        expect(() => alone.policy.decide(question)).toThrow((error as Error).message);
        return;
      }
      expect(decisionView(decided)).toEqual(decisionView(alone.policy.decide(question)));
      if (decided.logOnly === undefined) expect(shipped.calls.count).toBe(alone.calls.count);
      else
        expect(decided.logOnly.policies).toEqual([
          { id: 'freeze-prod-deploys-during-incident', effect: 'forbid' },
        ]);
    },
  );
});
