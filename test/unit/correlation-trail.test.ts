import { describe, expect, it } from 'vitest';
import { mcpTrace } from '../../client/mcp/trace';
import { correlationTrail } from '../../lambdas/domain/audit/correlation-trail';
import { pendingRequest } from './support/fixtures';

const AT = '2026-12-02T10:00:00.000Z';

describe('correlationTrail', () => {
  it('leaves out what did not happen: no trace, no vote for an auto-approval, no use yet', () => {
    const request = pendingRequest({
      status: 'APPROVED',
      policyOutcome: 'auto_approve',
      events: [
        {
          type: 'requested',
          at: AT,
          actor: 'agent:deploy-bot',
          detail: { action: 'logs:Read', resource: 'prod/api', policy: 'read-logs', outcome: 'auto_approve' },
        },
        { type: 'auto_approved', at: AT, actor: 'policy', detail: { policy: 'read-logs' } },
        { type: 'grant_issued', at: AT, actor: 'stepup', detail: { jti: 'j1' } },
      ],
    });
    expect(correlationTrail(request)).toEqual([
      {
        link: 'request',
        at: AT,
        actor: 'agent:deploy-bot',
        event: 0,
        detail: { event: 'requested', action: 'logs:Read', resource: 'prod/api' },
      },
      {
        link: 'policy',
        at: AT,
        actor: 'policy',
        event: 0,
        detail: { outcome: 'auto_approve', policy: 'read-logs' },
      },
      {
        link: 'decision',
        at: AT,
        actor: 'policy',
        event: 1,
        detail: { event: 'auto_approved', policy: 'read-logs' },
      },
      { link: 'grant', at: AT, actor: 'stepup', event: 2, detail: { event: 'grant_issued', jti: 'j1' } },
    ]);
  });

  it('starts with the prompt and the tool call when the agent gave them, as its word', () => {
    const request = pendingRequest({
      trace: { prompt_sha256: 'f'.repeat(64), tool_call_id: 'call_1' },
      events: [],
    });
    expect(correlationTrail(request)).toEqual([
      { link: 'prompt', actor: 'agent:deploy-bot', detail: { prompt_sha256: 'f'.repeat(64) } },
      { link: 'tool_call', actor: 'agent:deploy-bot', detail: { tool_call_id: 'call_1' } },
    ]);
  });
});

describe('mcpTrace', () => {
  it('takes the MCP request id as tool_call_id and a traceparent from _meta', () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    expect(mcpTrace({ requestId: 7, _meta: { traceparent } }, { sessionId: 's1' })).toEqual({
      toolCallId: '7',
      traceparent,
      sessionId: 's1',
      model: undefined,
    });
  });

  it('leaves out what stepup would refuse, rather than failing the call', () => {
    expect(mcpTrace({ requestId: 'id with spaces', _meta: { traceparent: 'not-a-traceparent' } })).toBe(
      undefined,
    );
  });
});
