import type { ApprovalNotifier } from '../ports/approval-notifier';
import type { Clock } from '../ports/clock';
import type { RequestStore } from '../ports/request-store';
import type { Workflow } from '../ports/workflow';
import { approverGroupsLabel, approvers, type ApprovalRequest, type Vote } from './approval-request';
import { isEligibleApprover } from './combine-requirements';
import type { StepUpConfig } from './config';
import { StepUpError } from './errors';
import { updateRequest } from './update-request';

/** A click on Approve or Deny, as Slack identifies the clicker. */
export interface VoteInput {
  readonly requestId: string;
  readonly user: string;
  readonly team: string;
  readonly decision: 'approve' | 'deny';
  readonly reason?: string;
  /** Channel the click came from, for a private reply. */
  readonly channel?: string;
}

/** Why a click changed nothing. Stable codes, safe to show the clicker. */
export type RefusalCode =
  | 'unknown_request'
  | 'wrong_team'
  | 'not_an_approver'
  | 'self_approval'
  | 'already_decided'
  | 'already_voted'
  | 'expired';

/** What came of a click. */
export type VoteResult =
  | { readonly outcome: 'recorded' | 'approved' | 'denied'; readonly request: ApprovalRequest }
  | { readonly outcome: 'refused'; readonly code: RefusalCode; readonly message: string };

/** Ports the vote use case needs. */
export interface RecordVoteDeps {
  readonly store: RequestStore;
  readonly workflow: Pick<Workflow, 'sendTaskSuccess'>;
  readonly notifier: ApprovalNotifier;
  readonly config: StepUpConfig;
  readonly clock: Clock;
}

class Refusal extends Error {
  constructor(
    readonly code: RefusalCode,
    message: string,
  ) {
    super(message);
  }
}

/** The Slack id of the human the agent named, matching `people` keys case-insensitively. */
function requesterSlackId(config: StepUpConfig, onBehalfOf: string | undefined): string | undefined {
  if (!onBehalfOf) return undefined;
  const wanted = onBehalfOf.toLowerCase();
  return Object.entries(config.people).find(([human]) => human.toLowerCase() === wanted)?.[1];
}

function authorise(config: StepUpConfig, request: ApprovalRequest, vote: VoteInput): void {
  if (vote.team !== config.slack.teamId) {
    throw new Refusal('wrong_team', 'This approval belongs to another Slack workspace.');
  }
  if (!isEligibleApprover(request.requirements, config, vote.user)) {
    throw new Refusal(
      'not_an_approver',
      `Only members of ${approverGroupsLabel(request.requirements)} can decide this request.`,
    );
  }
  // Denying your own request only makes things safer; approving it is what must be impossible.
  if (vote.decision === 'approve' && requesterSlackId(config, request.onBehalfOf) === vote.user) {
    throw new Refusal('self_approval', 'You cannot approve a request made on your own behalf.');
  }
}

function applyVote(
  config: StepUpConfig,
  request: ApprovalRequest,
  vote: VoteInput,
  at: string,
): ApprovalRequest {
  authorise(config, request, vote);
  if (request.status !== 'PENDING') {
    throw new Refusal('already_decided', `This request is already ${request.status.toLowerCase()}.`);
  }
  if (Date.parse(at) >= Date.parse(request.expiresAt)) {
    throw new Refusal('expired', 'This request has expired; the agent has to ask again.');
  }
  if (request.votes.some((v) => v.user === vote.user)) {
    throw new Refusal('already_voted', 'Your vote on this request is already recorded.');
  }
  const cast: Vote = { user: vote.user, team: vote.team, decision: vote.decision, at, reason: vote.reason };
  const actor = `slack:${vote.team}/${vote.user}`;
  const voted: ApprovalRequest = {
    ...request,
    votes: [...request.votes, cast],
    events: [...request.events, { type: 'vote', at, actor, detail: { decision: vote.decision } }],
  };
  if (vote.decision === 'deny') {
    const detail = vote.reason ? { reason: vote.reason } : undefined;
    return {
      ...voted,
      status: 'DENIED',
      decidedAt: at,
      denialReason: vote.reason,
      events: [...voted.events, { type: 'denied', at, actor, detail }],
    };
  }
  const approved = approvers(voted);
  if (approved.length < request.requirements.quorum) return voted;
  return {
    ...voted,
    status: 'APPROVED',
    decidedAt: at,
    events: [...voted.events, { type: 'approved', at, actor, detail: { approvers: approved.join(',') } }],
  };
}

/**
 * Records one approver's click as one conditional write. When the click decides the request
 * (quorum reached, or a deny), the waiting workflow is resumed exactly once: only the writer that
 * moved the request out of PENDING sends the task result.
 */
export async function recordVote(deps: RecordVoteDeps, vote: VoteInput): Promise<VoteResult> {
  let result;
  try {
    result = await updateRequest(deps.store, vote.requestId, (current) =>
      applyVote(deps.config, current, vote, deps.clock.now().toISOString()),
    );
  } catch (error) {
    if (error instanceof Refusal) return refuse(deps, vote, error.code, error.message);
    if (error instanceof StepUpError && error.code === 'not_found') {
      return refuse(deps, vote, 'unknown_request', 'This approval request does not exist.');
    }
    throw error;
  }
  const { request } = result;
  if (request.status === 'PENDING') return { outcome: 'recorded', request };
  if (request.taskToken) {
    await deps.workflow.sendTaskSuccess(request.taskToken, {
      decision: request.status === 'APPROVED' ? 'APPROVED' : 'DENIED',
    });
  }
  return { outcome: request.status === 'APPROVED' ? 'approved' : 'denied', request };
}

async function refuse(
  deps: RecordVoteDeps,
  vote: VoteInput,
  code: RefusalCode,
  message: string,
): Promise<VoteResult> {
  if (vote.channel) await deps.notifier.tellPrivately(vote.channel, vote.user, message);
  return { outcome: 'refused', code, message };
}
