import { ROUTES, handlerFileOf, type RouteName } from '../lambdas/api/routes';

/** The functions the approval workflow invokes (its task states), besides the API's routes. */
const WORKFLOW_FUNCTIONS = [
  'awaitApproval',
  'expireRequest',
  'issueGrant',
  'failRequest',
  'notifyOutcome',
] as const;

/** Name of one stepup Lambda function: a route's name, or a workflow step's. */
export type StepUpFunctionName = RouteName | (typeof WORKFLOW_FUNCTIONS)[number];

/**
 * Every Lambda function of stepup, by the name used in {@link StepUpApproval.functions}, mapped to
 * its handler file under `lambdas/handlers/` (each exports `handler`): one per route of
 * `lambdas/api/routes.ts` and one per workflow step, the file named after the function.
 */
export const HANDLER_FILES = Object.fromEntries(
  [...ROUTES.map((route) => route.name), ...WORKFLOW_FUNCTIONS].map((name) => [name, handlerFileOf(name)]),
) as Readonly<Record<StepUpFunctionName, string>>;
