import type { ApprovalNotifier } from '../../ports/approval-notifier';
import type { Clock } from '../../ports/clock';
import type { AuditLog } from '../../ports/audit-log';
import type { PeopleDirectory } from '../../ports/people-directory';
import type { RequestStore } from '../../ports/request-store';
import type { Workflow } from '../../ports/workflow';
import {
  approverGroupsLabel,
  approvers,
  decisionDeadline,
  type ApprovalRequest,
  type PasskeyProof,
  type Vote,
} from '../requests/approval-request';
import { isEligibleApprover } from '../policy/combine-requirements';
import { refusedClickEvent } from './refused-click';
import { isSelfApproval, resolveRequester } from './self-approval';
import { withUserGroupsResolved } from './user-groups';
import type { StepUpConfig } from '../config/config';
import { StepUpError } from '../errors';
import { handOverDecision, type HandoverResult } from '../requests/hand-over-decision';
import { withGrant } from '../tokens/issue-grant';
import { updateRequest } from '../requests/update-request';

/** A click on Approve or Deny, as Slack identifies the clicker. */
export interface VoteInput {
  readonly requestId: string;
  readonly user: string;
  readonly team: string;
  readonly decision: 'approve' | 'deny';
  readonly reason?: string;
  /** Channel the click came from, for a private reply. */
  readonly channel?: string;
  /** The verified passkey assertion behind the vote (the approval page); required by `@assurance("passkey")`. */
  readonly passkey?: PasskeyProof;
}

/** Why a click changed nothing. Stable codes, safe to show the clicker. */
export type RefusalCode =
  | 'unknown_request'
  | 'wrong_team'
  | 'not_an_approver'
  | 'self_approval'
  | 'already_decided'
  | 'already_voted'
  | 'expired'
  | 'passkey_required';

/** What came of a click. */
export type VoteResult =
  | { readonly outcome: 'recorded'; readonly request: ApprovalRequest }
  | {
      readonly outcome: 'approved' | 'denied';
      readonly request: ApprovalRequest;
      /** What came of resuming the workflow (`deferred`: the reconciler completes the request). */
      readonly handover: HandoverResult | 'no_task';
    }
  | { readonly outcome: 'refused'; readonly code: RefusalCode; readonly message: string };

/** Ports the vote use case needs. */
export interface RecordVoteDeps {
  readonly store: RequestStore;
  readonly workflow: Pick<Workflow, 'sendTaskSuccess'>;
  readonly notifier: ApprovalNotifier;
  readonly config: StepUpConfig;
  readonly clock: Clock;
  /**
   * Resolves `on_behalf_of` emails the config does not list, the clicker's email and names (for the
   * self-approval check) and Slack user groups (`S…`).
   */
  readonly directory?: PeopleDirectory;
  /** Where refused clicks of a known request are stored (beside it; the request is not touched). */
  readonly refusals?: Pick<AuditLog, 'recordRefusal'>;
}

class Refusal extends Error {
  constructor(
    readonly code: RefusalCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Is the clicker the human the agent named? Only an approval needs asking (denying your own request
 * only makes things safer), and only when the agent named someone.
 */
async function clickerIsRequester(
  deps: RecordVoteDeps,
  onBehalfOf: string | undefined,
  vote: VoteInput,
): Promise<boolean> {
  if (vote.decision !== 'approve' || !onBehalfOf) return false;
  const requester = await resolveRequester(deps.config, deps.directory, onBehalfOf);
  return isSelfApproval(deps.config, deps.directory, requester, vote.user);
}

/**
 * Everything that can refuse a click, without writing: the workspace, membership of the required
 * groups (by Slack user id, never display name), self-approval, the request's state and deadline,
 * a repeated vote.
 * @throws Refusal
 */
function checkVote(
  config: StepUpConfig,
  request: ApprovalRequest,
  vote: VoteInput,
  at: string,
  selfApproval: boolean,
): void {
  if (vote.team !== config.slack.teamId) {
    throw new Refusal('wrong_team', 'This approval belongs to another Slack workspace.');
  }
  if (!isEligibleApprover(request.requirements, config, vote.user)) {
    throw new Refusal(
      'not_an_approver',
      `Only members of ${approverGroupsLabel(request.requirements)} can decide this request.`,
    );
  }
  // Approving your own request is what must be impossible (see clickerIsRequester).
  if (selfApproval) {
    throw new Refusal('self_approval', 'You cannot approve a request made on your own behalf.');
  }
  if (request.status !== 'PENDING') {
    throw new Refusal('already_decided', `This request is already ${request.status.toLowerCase()}.`);
  }
  if (Date.parse(at) >= decisionDeadline(request)) {
    throw new Refusal('expired', 'This request has expired; the agent has to ask again.');
  }
  if (request.votes.some((v) => v.user === vote.user)) {
    throw new Refusal('already_voted', 'Your vote on this request is already recorded.');
  }
}

function applyVote(
  config: StepUpConfig,
  request: ApprovalRequest,
  vote: VoteInput,
  at: string,
  selfApproval: boolean,
): ApprovalRequest {
  checkVote(config, request, vote, at, selfApproval);
  // Checked here, in the write, not in checkVote: previewVote asks before the approver has a passkey link.
  if (request.requirements.assurance === 'passkey' && vote.passkey?.userVerified !== true) {
    throw new Refusal('passkey_required', 'This request needs your vote confirmed with a passkey.');
  }
  const cast: Vote = {
    user: vote.user,
    team: vote.team,
    decision: vote.decision,
    at,
    reason: vote.reason,
    ...(vote.passkey ? { passkey: vote.passkey } : {}),
  };
  const actor = `slack:${vote.team}/${vote.user}`;
  const proof: Record<string, string | boolean> = vote.passkey
    ? { credential_id: vote.passkey.credentialId, user_verified: vote.passkey.userVerified }
    : {};
  const voted: ApprovalRequest = {
    ...request,
    votes: [...request.votes, cast],
    events: [...request.events, { type: 'vote', at, actor, detail: { decision: vote.decision, ...proof } }],
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
  // The deciding vote writes the grant in the same write that approves (as auto-approval does), so
  // a poll right after the click collects the token and the workflow has no grant step.
  return withGrant(
    {
      ...voted,
      status: 'APPROVED',
      decidedAt: at,
      events: [...voted.events, { type: 'approved', at, actor, detail: { approvers: approved.join(',') } }],
    },
    new Date(at),
  );
}

/**
 * Records one approver's click as one conditional write. When the click decides the request
 * (quorum reached, or a deny), that write also approves and stores the grant, or denies; the waiting workflow is resumed exactly once: only the writer that
 * moved the request out of PENDING sends the task result, with the token it read in that write (a
 * decided request keeps no task token). The hand-over is retried; if it still fails, the stored
 * decision is carried through by the reconciler.
 */
export async function recordVote(deps: RecordVoteDeps, vote: VoteInput): Promise<VoteResult> {
  let result;
  // on_behalf_of never changes, so a re-decided write need not ask Slack again.
  let selfApproval: Promise<boolean> | undefined;
  // The token of the waiting task, as the write that decided the request read it.
  let taskToken: string | undefined;
  // The request as the refusing decision read it, for the refusal's audit record.
  let read: ApprovalRequest | undefined;
  try {
    result = await updateRequest(deps.store, vote.requestId, async (current) => {
      read = current;
      selfApproval ??= clickerIsRequester(deps, current.onBehalfOf, vote);
      const config = await withUserGroupsResolved(deps.config, current.requirements, deps.directory);
      taskToken = current.taskToken;
      return applyVote(config, current, vote, deps.clock.now().toISOString(), await selfApproval);
    });
  } catch (error) {
    if (error instanceof Refusal) return refuse(deps, vote, error.code, error.message, read);
    if (error instanceof StepUpError && error.code === 'not_found') {
      return refuse(deps, vote, 'unknown_request', 'This approval request does not exist.');
    }
    throw error;
  }
  const { request } = result;
  if (request.status === 'PENDING') {
    // Quorum progress ("1 of 2 approvals: @alice") for everyone watching the message.
    await deps.notifier.updateMessage(request).catch(() => undefined);
    return { outcome: 'recorded', request };
  }
  const decision = request.status === 'APPROVED' ? 'APPROVED' : 'DENIED';
  // No token: the execution is between waits (a restart); its AwaitApproval finds the decision.
  const handover = taskToken ? await handOverDecision(deps.workflow, taskToken, { decision }) : 'no_task';
  return { outcome: decision === 'APPROVED' ? 'approved' : 'denied', request, handover };
}

/**
 * Would this click be refused? Checked before the deny dialog opens, so a refused approver gets
 * the reason at once instead of a form; nothing is written.
 * @returns the refusal (already told privately to the clicker), or undefined when the vote may go ahead
 */
export async function previewVote(
  deps: RecordVoteDeps,
  vote: VoteInput,
): Promise<Extract<VoteResult, { outcome: 'refused' }> | undefined> {
  const request = await deps.store.get(vote.requestId);
  if (!request) return refuse(deps, vote, 'unknown_request', 'This approval request does not exist.');
  try {
    const selfApproval = await clickerIsRequester(deps, request.onBehalfOf, vote);
    const config = await withUserGroupsResolved(deps.config, request.requirements, deps.directory);
    checkVote(config, request, vote, deps.clock.now().toISOString(), selfApproval);
    return undefined;
  } catch (error) {
    if (error instanceof Refusal) return refuse(deps, vote, error.code, error.message, request);
    throw error;
  }
}

async function refuse(
  deps: RecordVoteDeps,
  vote: VoteInput,
  code: RefusalCode,
  message: string,
  request?: ApprovalRequest,
): Promise<Extract<VoteResult, { outcome: 'refused' }>> {
  if (vote.channel) await deps.notifier.tellPrivately(vote.channel, vote.user, message);
  // A click on an unknown request has nothing to be stored beside; it stays a log line.
  if (request && deps.refusals) {
    const event = refusedClickEvent({ ...vote, refusal: code }, deps.clock.now().toISOString());
    await deps.refusals.recordRefusal(request, event);
  }
  return { outcome: 'refused', code, message };
}
