import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { APPROVE_ACTION_ID, DENY_ACTION_ID } from '../../lambdas/adapters/slack/approval-message';
import { MAX_REASON_LENGTH } from '../../lambdas/adapters/slack/deny-dialog';
import { auditTrail } from '../../lambdas/domain/requests/approval-request';
import type { StepUpConfig } from '../../lambdas/domain/config/config';
import { REQUEST_ID_PATTERN } from '../../lambdas/domain/ids';
import { requestView } from '../../lambdas/domain/requests/request-view';
import type { RequestStore } from '../../lambdas/ports/request-store';
import type { LocalRoute } from '../http-server';
import type { SlackStandIn, StandInMessage } from '../slack-stand-in';

/** What the console reads: the stand-in's records, the request store, the approver groups. */
export interface ConsoleContext {
  /** Undefined when real Slack is configured; the console then only says so. */
  readonly slack?: SlackStandIn;
  readonly store: RequestStore;
  readonly config: StepUpConfig;
}

type Reply = Awaited<ReturnType<LocalRoute['handle']>>;

/** The page may only load its own script and stylesheet and talk to its own origin. */
const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};
const API_HEADERS = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };

const STEPUP_ACTIONS = new Set([APPROVE_ACTION_ID, DENY_ACTION_ID]);

/** The request a message is about: the value of its Approve/Deny buttons, in any version. */
function requestIdOf(message: Pick<StandInMessage, 'history'>): string | undefined {
  for (const version of message.history) {
    for (const block of version.blocks) {
      if (block.type !== 'actions' || !Array.isArray(block.elements)) continue;
      for (const element of block.elements as Record<string, unknown>[]) {
        if (STEPUP_ACTIONS.has(element.action_id as string) && typeof element.value === 'string') {
          return element.value;
        }
      }
    }
  }
  return undefined;
}

/** The request a deny dialog is about, from its `private_metadata`. */
function dialogRequestId(view: Record<string, unknown>): string | undefined {
  try {
    const metadata = JSON.parse(String(view.private_metadata ?? '')) as { requestId?: unknown };
    return typeof metadata.requestId === 'string' ? metadata.requestId : undefined;
  } catch {
    return undefined;
  }
}

/** Every Slack user the console can act as: approver-group members first, then `people` who are not. */
function consoleUsers(config: StepUpConfig): { id: string; groups: string[] }[] {
  const users = new Map<string, string[]>();
  for (const [group, { members }] of Object.entries(config.approverGroups)) {
    for (const member of members) users.set(member, [...(users.get(member) ?? []), group]);
  }
  for (const user of Object.values(config.people)) if (!users.has(user)) users.set(user, []);
  return [...users].map(([id, groups]) => ({ id, groups }));
}

/** A message for the list: its current version and how many it had (the history is in the detail view). */
function messageSummary(m: StandInMessage) {
  return {
    channel: m.channel,
    ts: m.ts,
    text: m.text,
    blocks: m.blocks,
    versions: m.history.length,
    request_id: requestIdOf(m),
  };
}

/** The messages of one request, every version included. */
function messagesOf(slack: SlackStandIn, id: string) {
  const message = slack.messageFor(id);
  const all = message ? slack.messages.filter((m) => requestIdOf(m) === id) : [];
  return all.map((m) => ({ ...messageSummary(m), history: m.history }));
}

/** `since` of the state query: the revision the page already shows, if it sent one. */
function sinceOf(request: IncomingMessage): number | undefined {
  const since = new URL(request.url ?? '/', 'http://console').searchParams.get('since');
  return since !== null && /^\d{1,15}$/.test(since) ? Number(since) : undefined;
}

function dialogsView(slack: SlackStandIn) {
  return slack.views.map((v) => ({
    id: v.id,
    trigger_id: v.triggerId,
    view: v.view,
    request_id: dialogRequestId(v.view),
  }));
}

function page(): Reply {
  return { status: 200, body: PAGE, contentType: 'text/html; charset=utf-8', headers: PAGE_HEADERS };
}

const CSS = readFileSync(join(__dirname, 'console.css'), 'utf8');
const PAGE = readFileSync(join(__dirname, 'console.html'), 'utf8');

/**
 * The browser bundle, built from `client/*.ts` on first use (esbuild, which `tsx` already brings),
 * so the page's code is type-checked and linted with the rest of the project.
 */
let script: Promise<string> | undefined;
function clientScript(): Promise<string> {
  script ??= import('esbuild').then(async ({ build }) => {
    const result = await build({
      entryPoints: [join(__dirname, 'client', 'main.ts')],
      bundle: true,
      write: false,
      format: 'iife',
      target: 'es2022',
      legalComments: 'none',
      logLevel: 'silent',
    });
    const output = result.outputFiles[0];
    if (!output) throw new Error('the console script did not build');
    return output.text;
  });
  script.catch(() => (script = undefined));
  return script;
}

/**
 * The approver console (local runtime only): a browser page at `/console` that renders the Slack
 * stand-in's messages from their Block Kit JSON and clicks Approve/Deny through `/dev/slack/click`,
 * i.e. as signed interaction payloads to `/slack/events`. Its JSON routes are read-only.
 */
export function consoleRoutes(context: ConsoleContext): LocalRoute[] {
  const { slack, store, config } = context;
  const stateBody = (revision: number) => ({
    revision,
    stand_in: Boolean(slack),
    team: config.slack.teamId,
    approvers: consoleUsers(config),
    actions: { approve: APPROVE_ACTION_ID, deny: DENY_ACTION_ID },
    deny_reason: { min_length: 3, max_length: MAX_REASON_LENGTH },
    messages: slack ? slack.messages.map(messageSummary) : [],
    dialogs: slack ? dialogsView(slack) : [],
    ephemerals: slack ? slack.ephemerals : [],
  });
  return [
    { method: 'GET', path: '/console', handle: async () => page() },
    {
      method: 'GET',
      path: '/console/',
      handle: async () => ({ status: 308, body: '', headers: { location: '/console' } }),
    },
    { method: 'GET', path: '/console/requests/{id}', handle: async () => page() },
    {
      method: 'GET',
      path: '/console/assets/console.css',
      handle: async () => ({
        status: 200,
        body: CSS,
        contentType: 'text/css; charset=utf-8',
        headers: API_HEADERS,
      }),
    },
    {
      method: 'GET',
      path: '/console/assets/console.js',
      handle: async () => ({
        status: 200,
        body: await clientScript(),
        contentType: 'text/javascript; charset=utf-8',
        headers: API_HEADERS,
      }),
    },
    {
      method: 'GET',
      path: '/console/api/state',
      // The page asks every second with the revision it shows: unchanged, it gets a few bytes back.
      handle: async (_body, request) => {
        const revision = slack?.revision ?? 0;
        if (sinceOf(request) === revision) {
          return { status: 200, headers: API_HEADERS, body: { unchanged: true, revision } };
        }
        return { status: 200, headers: API_HEADERS, body: stateBody(revision) };
      },
    },
    {
      method: 'GET',
      path: '/console/api/requests/{id}',
      handle: async (_body, _request, params) => {
        const id = params.id ?? '';
        const request = REQUEST_ID_PATTERN.test(id) ? await store.get(id) : undefined;
        if (!request) {
          return {
            status: 404,
            headers: API_HEADERS,
            body: { error: 'not_found', error_description: `no request ${id}` },
          };
        }
        return {
          status: 200,
          headers: API_HEADERS,
          body: {
            // What the agent's GET /v1/requests/{id} shows (never the task token), plus the votes.
            request: {
              ...requestView(request),
              agent: request.agent,
              votes: request.votes.map((v) => ({
                user: v.user,
                team: v.team,
                decision: v.decision,
                at: v.at,
                reason: v.reason,
              })),
              events: auditTrail(request),
            },
            messages: slack ? messagesOf(slack, id) : [],
            dialogs: slack ? dialogsView(slack).filter((d) => d.request_id === id) : [],
          },
        };
      },
    },
  ];
}
