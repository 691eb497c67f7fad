import type { PeopleDirectory } from '../../ports/people-directory';
import type { RequestStore } from '../../ports/request-store';
import type { StepUpConfig } from '../config/config';
import { isEligibleApprover } from '../policy/combine-requirements';
import { approverGroupsLabel, type ApprovalRequest } from '../requests/approval-request';
import { withUserGroupsResolved } from './user-groups';

/** What {@link showParameters} reads. */
export interface ShowParametersDeps {
  readonly store: Pick<RequestStore, 'get'>;
  readonly config: StepUpConfig;
  /** Resolves Slack user groups (`S…`) among the approvers. */
  readonly directory?: PeopleDirectory;
}

/** Who asks to see a request's parameters in full: Slack user and team ids. */
export interface ParametersViewer {
  readonly requestId: string;
  readonly user: string;
  readonly team: string;
}

/** The request whose parameters the viewer may read, or why not (a sentence for the viewer). */
export type ParametersView =
  | {
      readonly kind: 'shown';
      readonly request: ApprovalRequest & Required<Pick<ApprovalRequest, 'parameters'>>;
    }
  | { readonly kind: 'refused'; readonly message: string };

/**
 * An approver asks to read a request's parameters in full (the approval message caps them). Only
 * those who may decide the request read them: the channel sees the capped form already, but the
 * full arguments (an HTTP body, a SQL statement) are for the people who answer for them. Reading
 * changes nothing, so a decided request can still be read.
 */
export async function showParameters(
  deps: ShowParametersDeps,
  viewer: ParametersViewer,
): Promise<ParametersView> {
  const request = await deps.store.get(viewer.requestId);
  if (!request) return { kind: 'refused', message: 'This approval request does not exist.' };
  if (viewer.team !== deps.config.slack.teamId) {
    return { kind: 'refused', message: 'This approval belongs to another Slack workspace.' };
  }
  const config = await withUserGroupsResolved(deps.config, request.requirements, deps.directory);
  if (!isEligibleApprover(request.requirements, config, viewer.user)) {
    return {
      kind: 'refused',
      message: `Only members of ${approverGroupsLabel(request.requirements)} can read this request's parameters.`,
    };
  }
  const { parameters } = request;
  if (!parameters) return { kind: 'refused', message: 'This request has no parameters.' };
  return { kind: 'shown', request: { ...request, parameters } };
}
