import { randomBytes } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SlackStandIn, type StandInMessage } from '../../local/slack-stand-in';

/** One Web API call the stand-in answered. */
export interface SlackCall {
  readonly method: string;
  readonly fields: Readonly<Record<string, unknown>>;
  readonly ok: boolean;
}

/** An answer Slack holds back (see {@link SlackWebApi.hold}). */
interface Hold {
  readonly predicate: (call: SlackCall) => boolean;
  readonly released: Promise<void>;
  readonly taken: (call: SlackCall) => void;
}

/** The Slack app's credentials, as an operator would put them into the Slack secret after deploying. */
export interface SlackAppCredentials {
  readonly botToken: string;
  readonly signingSecret: string;
}

/** Fresh, random credentials (the Web API checks the bot token; clicks are signed with the secret). */
export function newSlackCredentials(): SlackAppCredentials {
  return {
    botToken: `xoxb-${randomBytes(6).toString('hex')}-${randomBytes(12).toString('hex')}`,
    signingSecret: randomBytes(16).toString('hex'),
  };
}

async function readFields(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks).toString('utf8');
  const type = request.headers['content-type'] ?? '';
  if (type.startsWith('application/json')) return body ? (JSON.parse(body) as Record<string, unknown>) : {};
  return Object.fromEntries(new URLSearchParams(body));
}

/**
 * Slack's Web API over HTTP on 127.0.0.1 (what the bundles reach through `SLACK_API_URL`): the
 * methods and wire format of {@link SlackStandIn} (`local/slack-stand-in.ts`), which also produces
 * the signed clicks. Every call is recorded; `waitFor` resolves on the call itself, not on a timer.
 */
export class SlackWebApi {
  private constructor(
    /** Messages, dialogs and signed clicks, as Slack holds and sends them. */
    readonly slack: SlackStandIn,
    private readonly server: Server,
    /** Base URL for `SLACK_API_URL`, ending in `/api/`. */
    readonly url: string,
    /** Every call, in order. */
    readonly calls: readonly SlackCall[],
    private readonly events: EventEmitter,
    private readonly holds: Hold[],
  ) {}

  /**
   * Slack takes the next call `predicate` matches (a post is stored) but holds its answer until
   * `release` is called, or for good: a slow Slack, or one whose answer a crash never receives.
   * `taken` resolves with the call once Slack has taken it.
   */
  hold(predicate: (call: SlackCall) => boolean): { taken: Promise<SlackCall>; release: () => void } {
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    let taken: (call: SlackCall) => void = () => {};
    const hold: Hold = { predicate, released, taken: (call) => taken(call) };
    this.holds.push(hold);
    return { taken: new Promise((resolve) => (taken = resolve)), release };
  }

  /** Starts the stand-in for a workspace with these app credentials. */
  static async start(credentials: SlackAppCredentials, teamId: string): Promise<SlackWebApi> {
    const slack = new SlackStandIn(credentials.botToken, credentials.signingSecret, teamId);
    const calls: SlackCall[] = [];
    const events = new EventEmitter();
    const holds: Hold[] = [];
    const server = createServer((request, response) => {
      void (async () => {
        const method = new URL(request.url ?? '/', 'http://127.0.0.1').pathname.replace(/^\/api\//, '');
        const fields = await readFields(request);
        const answer = slack.handleApiCall(method, request.headers.authorization, fields);
        const call = { method, fields, ok: answer.body.ok === true };
        calls.push(call);
        events.emit('call', call);
        const held = holds.findIndex((hold) => hold.predicate(call));
        if (held >= 0) {
          const [hold] = holds.splice(held, 1);
          hold!.taken(call);
          await hold!.released;
        }
        response.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
        response.end(JSON.stringify(answer.body));
      })().catch(() => {
        response.writeHead(400, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ ok: false, error: 'invalid_form_data' }));
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    return new SlackWebApi(slack, server, `http://127.0.0.1:${port}/api/`, calls, events, holds);
  }

  /** Resolves with the first call (past or future) for which `predicate` holds. */
  async waitFor(predicate: (call: SlackCall) => boolean): Promise<SlackCall> {
    const past = this.calls.find(predicate);
    if (past) return past;
    return new Promise((resolve) => {
      const listener = (call: SlackCall) => {
        if (!predicate(call)) return;
        this.events.off('call', listener);
        resolve(call);
      };
      this.events.on('call', listener);
    });
  }

  /** The approval message for a request, once it has been posted (waits for the `chat.postMessage`). */
  async approvalMessage(requestId: string, channel?: string): Promise<StandInMessage> {
    const inChannel = (call: SlackCall) => channel === undefined || call.fields.channel === channel;
    await this.waitFor(
      (call) =>
        call.ok &&
        (call.method === 'chat.postMessage' || call.method === 'chat.update') &&
        inChannel(call) &&
        JSON.stringify(call.fields).includes(requestId),
    );
    const message = this.slack.messages.find(
      (m) =>
        (channel === undefined || m.channel === channel) && JSON.stringify(m.history).includes(requestId),
    );
    if (!message) throw new Error(`no message for ${requestId}`);
    return message;
  }

  /** Stops the HTTP server. */
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
