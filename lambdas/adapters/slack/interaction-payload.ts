import * as z from 'zod/mini';
import { APPROVE_ACTION_ID, DENY_ACTION_ID } from './approval-message';
import { KILL_SWITCH_ACTION_ID } from './owner-message';
import { DENY_DIALOG_ID, REASON_ACTION_ID, REASON_BLOCK_ID } from './deny-dialog';
import { OPEN_DIGESTED_ACTION_PREFIX } from './digest-message';
import { SHOW_PARAMETERS_ACTION_ID } from './parameters-message';

/*
 * The interactivity payloads stepup acts on, as shapes checked at run time. Bolt's types describe
 * what Slack documents, not what a request holding a valid signature may carry, so the listeners
 * read these instead of Bolt's `body`, and the ingress acks every other shape without looking
 * further (Bolt itself answers 500 or 404 for shapes it does not expect).
 */

const user = z.object({ id: z.string(), team_id: z.optional(z.nullable(z.string())) });
/** Bolt routes on these before it looks at `type` (`getTypeAndConversation`): one of them present
 * would send the payload to listeners of another kind, where nothing acks it. */
const absent = z.optional(z.never());
const routedElsewhere = { event: absent, command: absent, name: absent };
const team = z.optional(z.nullable(z.object({ id: z.string() })));

const buttonClick = z.object({
  ...routedElsewhere,
  type: z.literal('block_actions'),
  user,
  team,
  channel: z.optional(z.nullable(z.object({ id: z.string() }))),
  trigger_id: z.string(),
  // Bolt routes on the first action; a click carries exactly one.
  actions: z.tuple(
    [z.object({ action_id: z.enum([APPROVE_ACTION_ID, DENY_ACTION_ID]), value: z.string() })],
    z.unknown(),
  ),
});

/** A click on a button of `actionId` whose value stepup reads (a request id, an agent). */
const valueClick = (actionId: z.ZodMiniType<string>) =>
  z.object({
    ...routedElsewhere,
    type: z.literal('block_actions'),
    user,
    team,
    channel: z.optional(z.nullable(z.object({ id: z.string() }))),
    actions: z.tuple([z.object({ action_id: actionId, value: z.string() })], z.unknown()),
  });

const killSwitchClick = valueClick(z.literal(KILL_SWITCH_ACTION_ID));
const digestOpenClick = valueClick(z.string().check(z.startsWith(OPEN_DIGESTED_ACTION_PREFIX)));
const showParametersClick = valueClick(z.literal(SHOW_PARAMETERS_ACTION_ID));

const denySubmission = z.object({
  ...routedElsewhere,
  actions: absent,
  type: z.literal('view_submission'),
  user,
  team,
  view: z.object({
    callback_id: z.literal(DENY_DIALOG_ID),
    private_metadata: z.optional(z.string()),
    // Read on its own (below): a dialog with an unreadable state is answered "give a reason".
    state: z.unknown(),
  }),
});

const reasonState = z.object({
  values: z.object({
    [REASON_BLOCK_ID]: z.object({ [REASON_ACTION_ID]: z.object({ value: z.string() }) }),
  }),
});

/** Who clicked or submitted: Slack user and team ids. */
export interface SlackActor {
  readonly user: string;
  /** The workspace, from `team.id` or else `user.team_id`; empty when Slack sent neither. */
  readonly team: string;
}

/** A click on Approve or Deny. */
export interface ButtonClick extends SlackActor {
  readonly decision: 'approve' | 'deny';
  /** The button's value: the request id. */
  readonly requestId: string;
  readonly channel?: string;
  readonly triggerId: string;
}

/** A submission of the deny dialog. */
export interface DenySubmission extends SlackActor {
  readonly privateMetadata?: string;
  /** The reason field's text, unchecked; undefined when the state has none as a string. */
  readonly reason?: string;
}

const actorOf = (clicker: z.infer<typeof user>, workspace: z.infer<typeof team>): SlackActor => ({
  user: clicker.id,
  team: workspace?.id ?? clicker.team_id ?? '',
});

/** The Approve/Deny click in `body`, or undefined for any other payload. */
export function readButtonClick(body: unknown): ButtonClick | undefined {
  const parsed = buttonClick.safeParse(body);
  if (!parsed.success) return undefined;
  const [action] = parsed.data.actions;
  return {
    ...actorOf(parsed.data.user, parsed.data.team),
    decision: action.action_id === APPROVE_ACTION_ID ? 'approve' : 'deny',
    requestId: action.value,
    channel: parsed.data.channel?.id,
    triggerId: parsed.data.trigger_id,
  };
}

/** A click on a button whose value names what it acts on, with where it was clicked. */
interface ValueClick extends SlackActor {
  readonly value: string;
  /** Where it was clicked (a channel, the owner's DM with the bot), for a private answer. */
  readonly channel?: string;
}

function readValueClick(schema: ReturnType<typeof valueClick>, body: unknown): ValueClick | undefined {
  const parsed = schema.safeParse(body);
  if (!parsed.success) return undefined;
  return {
    ...actorOf(parsed.data.user, parsed.data.team),
    value: parsed.data.actions[0].value,
    channel: parsed.data.channel?.id,
  };
}

/** A click on an owner's "Pull the kill switch" button. */
export interface KillSwitchClick extends SlackActor {
  /** The button's value: the agent's workload `sub`. */
  readonly agent: string;
  /** Where it was clicked (the owner's DM with the bot), for a private answer. */
  readonly channel?: string;
}

/** The owner's kill switch click in `body`, or undefined for any other payload. */
export function readKillSwitchClick(body: unknown): KillSwitchClick | undefined {
  const click = readValueClick(killSwitchClick, body);
  if (!click) return undefined;
  const { value: agent, ...rest } = click;
  return { ...rest, agent };
}

/** A click on a button about one request: a digest entry's "Open", "Show full parameters". */
export interface RequestButtonClick extends SlackActor {
  /** The button's value: the request id. */
  readonly requestId: string;
  /** Where it was clicked, for a private answer. */
  readonly channel?: string;
}

function readRequestButtonClick(
  schema: ReturnType<typeof valueClick>,
  body: unknown,
): RequestButtonClick | undefined {
  const click = readValueClick(schema, body);
  if (!click) return undefined;
  const { value: requestId, ...rest } = click;
  return { ...rest, requestId };
}

/** The digest "Open" click in `body`, or undefined for any other payload. */
export const readDigestOpenClick = (body: unknown) => readRequestButtonClick(digestOpenClick, body);

/** The "Show full parameters" click in `body`, or undefined for any other payload. */
export const readShowParametersClick = (body: unknown) => readRequestButtonClick(showParametersClick, body);

/** The deny dialog's submission in `body`, or undefined for any other payload. */
export function readDenySubmission(body: unknown): DenySubmission | undefined {
  const parsed = denySubmission.safeParse(body);
  if (!parsed.success) return undefined;
  const state = reasonState.safeParse(parsed.data.view.state);
  return {
    ...actorOf(parsed.data.user, parsed.data.team),
    privateMetadata: parsed.data.view.private_metadata,
    reason: state.success ? state.data.values[REASON_BLOCK_ID][REASON_ACTION_ID].value : undefined,
  };
}

/** Whether stepup has a listener for this payload (anything else is acked and ignored). */
export function isHandledInteraction(body: unknown): boolean {
  return (
    readButtonClick(body) !== undefined ||
    readDenySubmission(body) !== undefined ||
    readKillSwitchClick(body) !== undefined ||
    readDigestOpenClick(body) !== undefined ||
    readShowParametersClick(body) !== undefined
  );
}

/** A signed request body that is not a form with one JSON `payload` field. */
export const UNREADABLE = Symbol('unreadable Slack payload');

/**
 * The JSON `payload` of an interactivity request (form-encoded, as Slack sends it); `null` for
 * Slack's SSL check, which has none and only wants its 200.
 */
export function interactionPayloadOf(body: string): unknown {
  const form = new URLSearchParams(body);
  const payloads = form.getAll('payload');
  if (payloads.length === 0 && form.get('ssl_check') === '1') return null;
  if (payloads.length !== 1) return UNREADABLE;
  try {
    return JSON.parse(payloads[0] ?? '') as unknown;
  } catch {
    return UNREADABLE;
  }
}
