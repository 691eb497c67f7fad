import type { IncomingMessage } from 'node:http';
import type { DevIdentity } from './dev-identity';
import type { LocalRoute } from './http-server';
import type { ClickInput, SlackStandIn } from './slack-stand-in';

/**
 * What the dev routes act on once the runtime has finished starting; before that, getting it
 * throws `temporarily_unavailable`.
 */
export interface DevContext {
  readonly identity: DevIdentity;
  readonly click: (input: ClickInput) => Promise<Response>;
}

type Reply = { status: number; body: unknown };

const MESSAGE_WAIT_MS = 3000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const bad = (description: string): Reply => ({
  status: 400,
  body: { error: 'invalid_request', error_description: description },
});

function jsonObject(body: string): Record<string, unknown> | undefined {
  try {
    const parsed = JSON.parse(body || '{}') as unknown;
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function formOrJson(body: string, request: IncomingMessage): Record<string, unknown> {
  if ((request.headers['content-type'] ?? '').startsWith('application/json')) return jsonObject(body) ?? {};
  return Object.fromEntries(new URLSearchParams(body));
}

/**
 * Local-only routes: dev workload tokens, the Slack stand-in's Web API, and simulated approver
 * clicks (signed exactly as Slack signs them and sent to `/slack/events`).
 * @param slack the stand-in, undefined with real Slack; it answers from the start, as Slack would
 *   (workflows resumed while the runtime starts post to it)
 */
export function devRoutes(slack: SlackStandIn | undefined, context: () => DevContext): LocalRoute[] {
  return routes(slack, context).map((route) =>
    route.method === 'POST' && route.path.startsWith('/dev/') ? jsonOnly(route) : route,
  );
}

/**
 * Refuses a dev POST that is not `application/json`: a page on another site can send a form or
 * text/plain POST to localhost without asking, but not JSON, so no website can mint tokens or click
 * Approve on a developer's running stepup.
 */
function jsonOnly(route: LocalRoute): LocalRoute {
  return {
    ...route,
    handle: async (body, request, params) =>
      (request.headers['content-type'] ?? '').toLowerCase().startsWith('application/json')
        ? route.handle(body, request, params)
        : {
            status: 415,
            body: { error: 'invalid_request', error_description: 'Content-Type must be application/json' },
          },
  };
}

function routes(slack: SlackStandIn | undefined, context: () => DevContext): LocalRoute[] {
  return [
    {
      method: 'POST',
      path: '/dev/token',
      handle: async (body) => {
        const input = jsonObject(body);
        const sub = input?.sub;
        if (typeof sub !== 'string' || !/^[A-Za-z0-9._:@-]{1,128}$/.test(sub)) {
          return bad('body must be JSON {"sub": "<agent or resource-server id>"} using [A-Za-z0-9._:@-]');
        }
        return {
          status: 200,
          body: { access_token: await context().identity.mint(sub), token_type: 'Bearer', expires_in: 3600 },
        };
      },
    },
    {
      method: 'POST',
      path: '/dev/id-token',
      handle: async (body) => {
        const email = jsonObject(body)?.email;
        if (typeof email !== 'string' || !/^[^\s@<>]{1,64}@[^\s@<>]{1,190}$/.test(email)) {
          return bad('body must be JSON {"email": "<the human the agent acts for>"}');
        }
        return {
          status: 200,
          body: { id_token: await context().identity.mintIdToken(email), token_type: 'N_A' },
        };
      },
    },
    {
      method: 'GET',
      path: '/dev/jwks.json',
      handle: async () => ({ status: 200, body: context().identity.jwks() }),
    },
    {
      method: 'POST',
      path: '/slack/api/{method}',
      handle: async (body, request, params) => {
        if (!slack) return { status: 404, body: { ok: false, error: 'stand_in_disabled' } };
        return slack.handleApiCall(
          params.method ?? '',
          request.headers.authorization,
          formOrJson(body, request),
        );
      },
    },
    {
      method: 'GET',
      path: '/dev/slack/messages',
      handle: async () => {
        if (!slack) return bad('the Slack stand-in is off (real Slack credentials are set)');
        return { status: 200, body: { messages: slack.messages, ephemerals: slack.ephemerals } };
      },
    },
    {
      method: 'POST',
      path: '/dev/slack/click',
      handle: async (body) => {
        const input = jsonObject(body);
        const requestId = input?.auth_req_id;
        const user = input?.user;
        const decision = input?.decision;
        if (
          typeof requestId !== 'string' ||
          typeof user !== 'string' ||
          (decision !== 'approve' && decision !== 'deny')
        ) {
          return bad(
            'body must be JSON {"auth_req_id": "...", "user": "U0ALICE", "decision": "approve" | "deny"}',
          );
        }
        const { click } = context();
        if (!slack) return bad('the Slack stand-in is off (real Slack credentials are set)');
        // The workflow pages approvers a few milliseconds after the request is created; a click
        // straight after creating it waits for the message, as a human would.
        const deadline = Date.now() + MESSAGE_WAIT_MS;
        while (!slack.messageFor(requestId) && Date.now() < deadline) await sleep(20);
        if (!slack.messageFor(requestId)) return bad('no Slack message was posted for that auth_req_id');
        const team = typeof input?.team === 'string' ? input.team : undefined;
        const reason = typeof input?.reason === 'string' ? input.reason : undefined;
        const noticesBefore = slack.ephemerals.length;
        const response = await click({ requestId, user, decision, team, reason });
        const notice = slack.ephemerals.slice(noticesBefore).find((e) => e.user === user)?.text;
        return { status: 200, body: { slack_status: response.status, ...(notice ? { notice } : {}) } };
      },
    },
  ];
}
