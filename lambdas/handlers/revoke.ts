import { authenticatedRoute } from '../adapters/api-gateway/authenticated-route';
import { bodyOf, json } from '../adapters/api-gateway/http-event';
import { envConfig } from '../adapters/env-config';
import { kmsSigner } from '../adapters/aws/signing-clients';
import { stateMachineWorkflow } from '../adapters/aws/workflow-clients';
import { digestBoard, killSwitchLedger, tableStore } from '../adapters/aws/table-clients';
import { envAdmission } from '../adapters/env-admission';
import { emfMetrics } from '../adapters/aws/emf-metrics';
import { lazyHandler } from '../adapters/aws/lazy-handler';
import { secretBackedNotifier } from '../adapters/aws/slack-session';
import { ownerNotices } from '../adapters/aws/owner-notices';
import type { AgentAdmission } from '../domain/agents/agent-admission';
import { ENV, requireEnv } from '../adapters/env';
import { Es256TokenVerifier } from '../adapters/es256-token-verifier';
import { logger, requestLogger } from '../adapters/logger';
import { parseRevokeRequest } from '../api/schemas/revoke-request';
import { cancelRequest } from '../domain/requests/cancel-request';
import { StepUpError } from '../domain/errors';
import { revokeAgent, revokeToken, type RevokeDeps } from '../domain/tokens/revoke';
import { systemClock } from '../ports/clock';
import { noMetrics, type OperationalMetrics } from '../ports/operational-metrics';

/**
 * How long one kill-switch call takes new work: half the functions' 10 s timeout
 * (`lib/step-up-function.ts`), leaving the rest for the page in hand and the answer.
 */
const KILL_SWITCH_BUDGET_MS = 5000;

/**
 * DTR cancel: the agent withdraws its deferred request through the cancel use case. An unknown
 * code, or another agent's, is answered like any invalid token (RFC 7009 §2.2: 200, nothing done);
 * a request already decided is a 409, as `POST /v1/requests/{id}/cancel` answers.
 */
async function cancelDeferred(deps: RevokeDeps, agent: string, deferralCode: string): Promise<void> {
  try {
    await cancelRequest(deps, agent, deferralCode);
    requestLogger(deferralCode).info('request cancelled', { agent, deferred: true });
  } catch (error) {
    if (!(error instanceof StepUpError && error.code === 'not_found')) throw error;
  }
}

/**
 * `POST /v1/revoke`: RFC 7009 token revocation (`token=…`, by its agent or audience; always 200),
 * or the operator kill switch (`agent=…`): cancel the agent's pending requests, revoke its grants,
 * for as long as {@link KILL_SWITCH_BUDGET_MS}; the answer says whether it is `complete` (if not,
 * the reconciler carries the run on).
 */
export function revokeHandler(
  deps: RevokeDeps & {
    readonly admission: AgentAdmission;
    /**
     * Where `KillSwitch` is counted.
     * @default noMetrics
     */
    readonly metrics?: OperationalMetrics;
    /**
     * How long one kill switch call takes new work before it leaves the rest to the reconciler.
     * @default KILL_SWITCH_BUDGET_MS
     */
    readonly killSwitchBudgetMs?: number;
  },
) {
  const metrics = deps.metrics ?? noMetrics;
  return authenticatedRoute(deps.admission, async (event, caller) => {
    const input = parseRevokeRequest(bodyOf(event, true));
    if ('deferralCode' in input) {
      await cancelDeferred(deps, caller, input.deferralCode);
      return json(200, {});
    }
    if ('token' in input) {
      await revokeToken(deps, caller, input.token);
      return json(200, {});
    }
    const deadline = new Date(
      deps.clock.now().getTime() + (deps.killSwitchBudgetMs ?? KILL_SWITCH_BUDGET_MS),
    );
    const result = await revokeAgent(deps, caller, input.agent, deadline);
    metrics.count('KillSwitch');
    logger.warn(
      result.complete ? 'agent revoked by an operator' : 'agent partly revoked: the reconciler carries on',
      { operator: caller, agent: input.agent, audit: true, ...result },
    );
    return json(200, {
      agent: input.agent,
      cancelled: result.cancelled,
      revoked: result.revoked,
      complete: result.complete,
      started_at: result.startedAt,
      ...(result.completedAt ? { completed_at: result.completedAt } : {}),
    });
  });
}

export const handler = lazyHandler(() => {
  const signer = kmsSigner();
  const config = envConfig();
  const notifier = secretBackedNotifier('revoke');
  return revokeHandler({
    store: tableStore(),
    killSwitches: killSwitchLedger(),
    verifier: new Es256TokenVerifier(signer, requireEnv(ENV.tokenIssuer)),
    workflow: stateMachineWorkflow(),
    notifier,
    clock: systemClock,
    operators: config.operators,
    admission: envAdmission(config),
    metrics: emfMetrics,
    owners: ownerNotices('revoke', config.agents),
    digest: { board: digestBoard(), notifier },
  });
});
