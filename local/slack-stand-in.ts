import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, truncateSync } from 'node:fs';
import { slackSignatureHeaders } from './slack-signature';

type Block = Record<string, unknown>;

/** A message as the stand-in holds it, with every version it went through. */
export interface StandInMessage {
  readonly channel: string;
  readonly ts: string;
  text: string;
  blocks: Block[];
  readonly history: { text: string; blocks: Block[] }[];
  /** Message metadata (`event_type`, `event_payload`), as posted. */
  readonly metadata?: Record<string, unknown>;
}

/** A private (ephemeral) message to one user. */
export interface StandInEphemeral {
  readonly channel: string;
  readonly user: string;
  readonly text: string;
  /** Its Block Kit blocks, when it has any (the full parameters an approver asked for). */
  readonly blocks?: Block[];
}

/** A click to simulate, as an approver would make it. */
export interface ClickInput {
  readonly requestId: string;
  readonly user: string;
  readonly decision: 'approve' | 'deny';
  /** For a deny: the reason typed into the dialog Deny opens. */
  readonly reason?: string;
  /** @default the configured team */
  readonly team?: string;
}

/** Web API response in Slack's wire format. */
export interface WebApiResponse {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly headers?: Record<string, string>;
}

/** One line of the stand-in's file: a message posted, a message updated, or (older files) all of them. */
type JournalEntry =
  | { readonly post: StandInMessage }
  | { readonly update: { channel: string; ts: string; text: string; blocks: Block[] } }
  | { readonly messages: StandInMessage[] };

/** The request ids a message's buttons carry (any button value that is a string). */
function buttonValues(blocks: readonly Block[]): string[] {
  const values: string[] = [];
  for (const block of blocks) {
    if (!Array.isArray(block.elements)) continue;
    for (const element of block.elements as Record<string, unknown>[]) {
      if (typeof element.value === 'string') values.push(element.value);
    }
  }
  return values;
}

/** A journal line, or undefined when it is not whole JSON. */
function parsed(line: string): JournalEntry | undefined {
  try {
    return JSON.parse(line) as JournalEntry;
  } catch {
    return undefined;
  }
}

function parseJsonField(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

/**
 * Stands in for Slack where Slack cannot run: answers the Web API methods stepup calls
 * (`chat.postMessage`, `chat.update`, `chat.postEphemeral`, `conversations.history`, `auth.test`, `users.lookupByEmail`,
 * `users.info`, `usergroups.users.list`, `views.open`) in Slack's wire format,
 * records what was posted, and produces approver clicks as Slack would send them: `block_actions`
 * payloads, form-encoded and signed with the signing secret.
 */
export class SlackStandIn {
  readonly messages: StandInMessage[] = [];
  readonly ephemerals: StandInEphemeral[] = [];
  /** Dialogs opened with `views.open`, by the trigger of the click that opened them. */
  readonly views: {
    readonly id: string;
    readonly triggerId: string;
    readonly view: Record<string, unknown>;
  }[] = [];
  /** Workspace users by email, for `users.lookupByEmail`. */
  readonly directory: Record<string, string> = {};
  /** Slack handles by user id, for `users.info`. */
  readonly names: Record<string, string> = {};
  /** Slack user groups (`S…`) and their users, for `usergroups.users.list`. */
  readonly userGroups: Record<string, string[]> = {};
  /** The last message timestamp handed out, in microseconds since the epoch. */
  private lastTsMicros = 0;
  /** Messages by `channel ts`, and by the request id a version of their buttons carried (the first such message). */
  private readonly byTs = new Map<string, StandInMessage>();
  private readonly byRequest = new Map<string, StandInMessage>();
  /** Counts every change the console can show (messages, dialogs, private messages). */
  private changes = 0;

  /**
   * @param file where messages persist across restarts (as Slack keeps them), one line appended per
   *   post or update (never the whole file again); in memory when undefined
   */
  constructor(
    private readonly botToken: string,
    private readonly signingSecret: string,
    private readonly teamId: string,
    private readonly file?: string,
  ) {
    if (file && existsSync(file)) {
      const saved = readFileSync(file, 'utf8');
      const lines = saved.split('\n');
      const last = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) this.apply(JSON.parse(line) as JournalEntry);
      // Text after the last line break is either a whole file an older version wrote (no final
      // line break: end it) or a line cut short by a crash (what it recorded never completed).
      const whole = last.trim() ? parsed(last) : undefined;
      if (whole) {
        this.apply(whole);
        appendFileSync(file, '\n');
      } else if (last) {
        truncateSync(file, Buffer.byteLength(saved) - Buffer.byteLength(last));
      }
    }
  }

  /**
   * A message timestamp as Slack makes them: the posting time, `seconds.microseconds`, unique and
   * increasing (two posts in one microsecond, or a clock set back, take the next microsecond).
   */
  private nextTs(): string {
    this.lastTsMicros = Math.max(Date.now() * 1000, this.lastTsMicros + 1);
    const seconds = Math.floor(this.lastTsMicros / 1_000_000);
    return `${seconds}.${String(this.lastTsMicros % 1_000_000).padStart(6, '0')}`;
  }

  /** How many changes the console could show so far: unchanged means nothing to send again. */
  get revision(): number {
    return this.changes + this.ephemerals.length + this.views.length;
  }

  private apply(entry: JournalEntry): void {
    if ('messages' in entry) for (const message of entry.messages) this.apply({ post: message });
    else if ('post' in entry) {
      this.messages.push(entry.post);
      // After a restart, new timestamps still follow the saved ones.
      const [seconds = '0', micros = '0'] = entry.post.ts.split('.');
      this.lastTsMicros = Math.max(
        this.lastTsMicros,
        Number(seconds) * 1_000_000 + Number(micros.padEnd(6, '0')),
      );
      this.byTs.set(`${entry.post.channel} ${entry.post.ts}`, entry.post);
      for (const version of entry.post.history) this.index(entry.post, version.blocks);
    } else {
      const message = this.byTs.get(`${entry.update.channel} ${entry.update.ts}`);
      if (!message) return;
      message.text = entry.update.text;
      message.blocks = entry.update.blocks;
      message.history.push({ text: entry.update.text, blocks: entry.update.blocks });
      this.index(message, entry.update.blocks);
    }
    this.changes++;
  }

  private index(message: StandInMessage, blocks: readonly Block[]): void {
    for (const value of buttonValues(blocks))
      if (!this.byRequest.has(value)) this.byRequest.set(value, message);
  }

  /** Applies a change and appends it to the file. */
  private record(entry: JournalEntry): void {
    this.apply(entry);
    if (this.file) appendFileSync(this.file, `${JSON.stringify(entry)}\n`);
  }

  /** Answers one Web API call. `authorization` is the request's Authorization header. */
  /** Failures to serve before answering normally, per Web API method (Slack having a bad minute). */
  readonly faults: Record<string, { status: number; retryAfter?: number; remaining: number }> = {};
  /** How often each Web API method was called (e.g. to show that clicks never cost an `auth.test`). */
  readonly calls: Record<string, number> = {};

  handleApiCall(
    method: string,
    authorization: string | undefined,
    fields: Record<string, unknown>,
  ): WebApiResponse {
    this.calls[method] = (this.calls[method] ?? 0) + 1;
    const fault = this.faults[method];
    if (fault && fault.remaining > 0) {
      fault.remaining--;
      return {
        status: fault.status,
        body: { ok: false, error: fault.status === 429 ? 'ratelimited' : 'internal_error' },
        ...(fault.retryAfter !== undefined ? { headers: { 'retry-after': String(fault.retryAfter) } } : {}),
      };
    }
    const token = authorization?.replace(/^Bearer\s+/i, '') ?? (fields.token as string | undefined);
    if (token !== this.botToken) return { status: 200, body: { ok: false, error: 'invalid_auth' } };
    const channel = typeof fields.channel === 'string' ? fields.channel : '';
    const text = typeof fields.text === 'string' ? fields.text : '';
    const blocks = (parseJsonField(fields.blocks) as Block[] | undefined) ?? [];
    switch (method) {
      case 'views.open': {
        const view = parseJsonField(fields.view) as Record<string, unknown> | undefined;
        const triggerId = typeof fields.trigger_id === 'string' ? fields.trigger_id : '';
        if (!view || !triggerId) return { status: 200, body: { ok: false, error: 'invalid_arguments' } };
        const id = `V${randomBytes(5).toString('hex').toUpperCase()}`;
        this.views.push({ id, triggerId, view });
        return { status: 200, body: { ok: true, view: { id, ...view } } };
      }
      case 'usergroups.users.list': {
        const group = typeof fields.usergroup === 'string' ? fields.usergroup : '';
        const users = this.userGroups[group];
        return users
          ? { status: 200, body: { ok: true, users } }
          : { status: 200, body: { ok: false, error: 'no_such_subteam' } };
      }
      case 'users.lookupByEmail': {
        const email = typeof fields.email === 'string' ? fields.email.toLowerCase() : '';
        const id = this.directory[email];
        return id
          ? { status: 200, body: { ok: true, user: { id, team_id: this.teamId, profile: { email } } } }
          : { status: 200, body: { ok: false, error: 'users_not_found' } };
      }
      case 'users.info': {
        // Every id is a member; the email is the one `directory` lists for it, if any.
        const id = typeof fields.user === 'string' ? fields.user : '';
        const email = Object.entries(this.directory).find(([, user]) => user === id)?.[0];
        return {
          status: 200,
          body: { ok: true, user: { id, team_id: this.teamId, name: this.names[id], profile: { email } } },
        };
      }
      case 'auth.test':
        return {
          status: 200,
          body: { ok: true, team_id: this.teamId, user_id: 'U0STEPUPBOT', bot_id: 'B0STEPUP' },
        };
      case 'chat.postMessage': {
        if (!channel) return { status: 200, body: { ok: false, error: 'channel_not_found' } };
        const ts = this.nextTs();
        const metadata = parseJsonField(fields.metadata) as Record<string, unknown> | undefined;
        this.record({ post: { channel, ts, text, blocks, history: [{ text, blocks }], metadata } });
        return {
          status: 200,
          body: { ok: true, channel, ts, message: { type: 'message', text, blocks, ts } },
        };
      }
      case 'chat.update': {
        const ts = typeof fields.ts === 'string' ? fields.ts : '';
        if (!this.byTs.has(`${channel} ${ts}`))
          return { status: 200, body: { ok: false, error: 'message_not_found' } };
        this.record({ update: { channel, ts, text, blocks } });
        return { status: 200, body: { ok: true, channel, ts, text } };
      }
      case 'conversations.history': {
        // Newest first, from `oldest` on; metadata only when asked for, as Slack does.
        const oldest = Number(fields.oldest ?? 0);
        const withMetadata = String(fields.include_all_metadata) === 'true';
        const messages = this.messages
          .filter((m) => m.channel === channel && Number(m.ts) >= oldest)
          .reverse()
          .map((m) => ({
            type: 'message',
            ts: m.ts,
            text: m.text,
            ...(withMetadata ? { metadata: m.metadata } : {}),
          }));
        return { status: 200, body: { ok: true, messages, has_more: false } };
      }
      case 'chat.postEphemeral': {
        const user = typeof fields.user === 'string' ? fields.user : '';
        this.ephemerals.push({ channel, user, text, ...(blocks.length > 0 ? { blocks } : {}) });
        return { status: 200, body: { ok: true, message_ts: this.nextTs() } };
      }
      default:
        return { status: 200, body: { ok: false, error: 'unknown_method' } };
    }
  }

  /** The approval message whose buttons carry (or once carried) `requestId`, from an index. */
  messageFor(requestId: string): StandInMessage | undefined {
    return this.byRequest.get(requestId);
  }

  /**
   * The exact HTTP request Slack sends when `user` clicks Approve or Deny on the request's message:
   * a signed, form-encoded `block_actions` payload.
   * @throws Error when no message for the request was posted
   */
  click(
    input: ClickInput,
    timestampSeconds?: number,
  ): { body: string; headers: Record<string, string>; triggerId: string } {
    const message = this.messageFor(input.requestId);
    if (!message) throw new Error(`no Slack message was posted for request ${input.requestId}`);
    const team = input.team ?? this.teamId;
    const triggerId = `${Date.now()}.${randomBytes(6).toString('hex')}`;
    const actionId = input.decision === 'approve' ? 'stepup_approve' : 'stepup_deny';
    const action = {
      type: 'button',
      action_id: actionId,
      block_id: 'stepup_decision',
      text: { type: 'plain_text', text: input.decision === 'approve' ? 'Approve' : 'Deny' },
      value: input.requestId,
    };
    return {
      ...this.blockActions(
        { message, user: input.user, team, triggerId, channel: 'approvals', action },
        timestampSeconds,
      ),
      triggerId,
    };
  }

  /**
   * The exact HTTP request Slack sends when `user` clicks the button `actionId` of `message` (say,
   * the owner's kill switch in a direct message, or a digest entry's "Open"): a signed
   * `block_actions` payload carrying the button's own value.
   * @throws Error when the message has no such button
   */
  clickButton(
    message: StandInMessage,
    actionId: string,
    user: string,
  ): { body: string; headers: Record<string, string> } {
    const button = message.blocks
      // Buttons of actions blocks, and a section's accessory (a digest entry's "Open").
      .flatMap((block) => [
        ...((block.elements as Block[] | undefined) ?? []),
        ...(block.accessory ? [block.accessory as Block] : []),
      ])
      .find((element) => element.action_id === actionId);
    if (!button) throw new Error(`message ${message.ts} has no button ${actionId}`);
    const triggerId = `${Date.now()}.${randomBytes(6).toString('hex')}`;
    const action = { ...button, block_id: 'stepup_owner' };
    return this.blockActions({
      message,
      user,
      team: this.teamId,
      triggerId,
      channel: 'directmessage',
      action,
    });
  }

  /** The signed `block_actions` request of one click on `action` of `message` (both kinds of button). */
  private blockActions(
    click: {
      readonly message: StandInMessage;
      readonly user: string;
      readonly team: string;
      readonly triggerId: string;
      readonly channel: string;
      readonly action: Record<string, unknown>;
    },
    timestampSeconds?: number,
  ): { body: string; headers: Record<string, string> } {
    const { message, user, team } = click;
    const payload = {
      type: 'block_actions',
      team: { id: team, domain: 'stepup-local' },
      user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: team },
      api_app_id: 'A0STEPUPLOCAL',
      token: 'deprecated-verification-token',
      container: {
        type: 'message',
        message_ts: message.ts,
        channel_id: message.channel,
        is_ephemeral: false,
      },
      trigger_id: click.triggerId,
      channel: { id: message.channel, name: click.channel },
      message: { type: 'message', ts: message.ts, text: message.text, blocks: message.blocks },
      response_url: 'https://hooks.slack.invalid/actions/local',
      actions: [{ ...click.action, action_ts: `${Date.now() / 1000}` }],
    };
    return this.signed(
      new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
      timestampSeconds,
    );
  }

  /**
   * The `view_submission` Slack sends when `user` submits the dialog opened by `triggerId`, with
   * `values` as `{block_id: {action_id: value}}`; undefined when no dialog was opened for it.
   */
  submitDialog(
    triggerId: string,
    user: string,
    values: Record<string, Record<string, string>>,
    team = this.teamId,
  ): { body: string; headers: Record<string, string> } | undefined {
    const opened = this.views.find((v) => v.triggerId === triggerId);
    if (!opened) return undefined;
    const state = Object.fromEntries(
      Object.entries(values).map(([block, actions]) => [
        block,
        Object.fromEntries(
          Object.entries(actions).map(([action, value]) => [action, { type: 'plain_text_input', value }]),
        ),
      ]),
    );
    const payload = {
      type: 'view_submission',
      team: { id: team, domain: 'stepup-local' },
      user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: team },
      api_app_id: 'A0STEPUPLOCAL',
      token: 'deprecated-verification-token',
      trigger_id: `${Date.now()}.${randomBytes(6).toString('hex')}`,
      view: {
        ...opened.view,
        id: opened.id,
        team_id: team,
        state: { values: state },
        hash: randomBytes(8).toString('hex'),
      },
      response_urls: [],
    };
    return this.signed(new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
  }

  /** A form-encoded body with the headers Slack would sign it with. */
  signed(body: string, timestampSeconds?: number): { body: string; headers: Record<string, string> } {
    return {
      body,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...slackSignatureHeaders(this.signingSecret, body, timestampSeconds),
      },
    };
  }
}
