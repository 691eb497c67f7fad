import { ROUTES, handlerFileOf, type RouteName } from '../lambdas/api/routes';

/** The functions the approval workflow invokes (its task states), besides the API's routes. */
const WORKFLOW_FUNCTIONS = ['awaitApproval', 'expireRequest', 'failRequest', 'notifyOutcome'] as const;

/** The functions a schedule invokes: the reconciler (docs/architecture.md, Recovery). */
const SCHEDULED_FUNCTIONS = ['reconcile'] as const;

/** The HTTP API's Lambda authorizer of every `workload` route (several issuers, docs/architecture.md). */
const AUTHORIZER_FUNCTIONS = ['workloadAuthorizer'] as const;

/** The functions the table's stream invokes: the audit export (`lib/audit-export.ts`). */
const STREAM_FUNCTIONS = ['exportAudit'] as const;

/** Name of one stepup Lambda function: a route's, a workflow step's, a scheduled, the authorizer or a stream one's. */
export type StepUpFunctionName =
  | RouteName
  | (typeof WORKFLOW_FUNCTIONS)[number]
  | (typeof SCHEDULED_FUNCTIONS)[number]
  | (typeof AUTHORIZER_FUNCTIONS)[number]
  | (typeof STREAM_FUNCTIONS)[number];

/**
 * Every Lambda function of stepup, by the name used in {@link StepUpApproval.functions}, mapped to
 * its handler file under `lambdas/handlers/` (each exports `handler`): one per route of
 * `lambdas/api/routes.ts`, one per workflow step and the reconciler, the file named after the function.
 */
export const HANDLER_FILES = Object.fromEntries(
  [
    ...ROUTES.map((route) => route.name),
    ...WORKFLOW_FUNCTIONS,
    ...SCHEDULED_FUNCTIONS,
    ...AUTHORIZER_FUNCTIONS,
    ...STREAM_FUNCTIONS,
  ].map((name) => [name, handlerFileOf(name)]),
) as Readonly<Record<StepUpFunctionName, string>>;
