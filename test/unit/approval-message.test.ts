import { describe, expect, it } from 'vitest';
import {
  APPROVE_ACTION_ID,
  DENY_ACTION_ID,
  approvalMessage,
  type Block,
} from '../../lambdas/adapters/slack/approval-message';
import type { ApprovalRequest, Vote } from '../../lambdas/domain/approval-request';
import { parseCreateRequest } from '../../lambdas/api/schemas/create-request';
import { MAX_RESOURCE_LENGTH } from '../../lambdas/domain/create-request';
import { ALICE, BOB, NOW, TEAM, pendingRequest } from './support/fixtures';

const TASK_TOKEN = 'AAAAKgAAAAIAAAAAAAAAAdistinctive-task-token-value';

interface TextObject {
  type: string;
  text: string;
}

/** Every text object (`{type, text}`) anywhere in the blocks. */
function textObjects(blocks: readonly Block[]): TextObject[] {
  const found: TextObject[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (typeof value === 'object' && value !== null) {
      const record = value as Record<string, unknown>;
      if (typeof record.type === 'string' && typeof record.text === 'string') {
        found.push({ type: record.type, text: record.text });
      }
      Object.values(record).forEach(walk);
    }
  };
  walk(blocks);
  return found;
}

function justificationObject(request: ApprovalRequest): TextObject {
  const found = textObjects(approvalMessage(request).blocks).filter((t) =>
    t.text.startsWith('Justification'),
  );
  expect(found).toHaveLength(1);
  return found[0] as TextObject;
}

function actionsBlocks(request: ApprovalRequest): Block[] {
  return approvalMessage(request).blocks.filter((b) => b.type === 'actions');
}

const vote = (user: string, decision: Vote['decision'], reason?: string): Vote => ({
  user,
  team: TEAM,
  decision,
  at: NOW.toISOString(),
  reason,
});

describe('approvalMessage: agent text is inert', () => {
  it('shows the justification in a plain_text object, labelled as the agent’s unverified words', () => {
    const text = justificationObject(pendingRequest({ justification: 'Routine cleanup.' }));
    expect(text.type).toBe('plain_text');
    expect(text.text).toBe('Justification (written by the agent, unverified):\nRoutine cleanup.');
  });

  it('neutralises pings, mentions, disguised links, entities and bidi tricks in the justification', () => {
    const text = justificationObject(
      pendingRequest({
        justification: '<!channel> ask <@U0123> at <https://evil.example|Approve> R&D \u202eynned\u200b',
      }),
    );
    expect(text.text).toContain(
      '&lt;!channel&gt; ask &lt;@U0123&gt; at &lt;https://evil.example|Approve&gt; R&amp;D ynned',
    );
    expect(text.text).not.toMatch(/[\u202e\u200b]/);
  });

  it('caps a long justification with an ellipsis', () => {
    const text = justificationObject(pendingRequest({ justification: 'x'.repeat(10_000) }));
    expect(text.text.endsWith('x…')).toBe(true);
    expect(text.text.length).toBeLessThan(3000);
  });

  it('keeps emoji and non-ASCII text, and newlines', () => {
    const text = justificationObject(pendingRequest({ justification: 'Größe 🔥\n注文 👍🏽' }));
    expect(text.text.endsWith('Größe 🔥\n注文 👍🏽')).toBe(true);
  });

  it('escapes agent text in the fields, header and fallback text too', () => {
    const request = pendingRequest({
      agent: '<!channel>',
      resource: '<@U0123>&\u202e',
      audience: 'api<x>',
      onBehalfOf: '<!here>',
    });
    const message = approvalMessage(request);
    const all = [message.text, ...textObjects(message.blocks).map((t) => t.text)].join('\n');
    expect(all).not.toContain('<!channel>');
    expect(all).not.toContain('<@U0123>');
    expect(all).not.toContain('<!here>');
    expect(all).not.toContain('\u202e');
    expect(all).toContain('&lt;@U0123&gt;&amp;');
  });

  it('keeps agent text out of the fallback text, which notifications render as mrkdwn', () => {
    const request = pendingRequest({
      agent: 'deploy-bot',
      action: 'db:Drop_Table_',
      resource: '*Approved by security* ~x~ `y`',
      justification: '_trust me_',
    });
    const { text } = approvalMessage(request);
    expect(text).toBe(`Approval needed: stepup request ${request.id}`);
  });

  it('shows a line break in a single-line field visibly, so no line can be forged under it', () => {
    const request = pendingRequest({ agent: 'deploy-bot\nApproved by: security', onBehalfOf: 'a\r\nb' });
    const texts = textObjects(approvalMessage(request).blocks).map((t) => t.text);
    expect(texts).toContain('Agent\ndeploy-bot\u21b5Approved by: security');
    expect(texts.find((t) => t.startsWith('On behalf of'))).toBe(
      'On behalf of\na\u21b5b (asserted by the agent, unverified)',
    );
  });

  it('uses only plain_text for everything the agent wrote (the only mrkdwn is ours)', () => {
    const request = pendingRequest({
      votes: [vote(ALICE, 'approve')],
      requirements: { ...pendingRequest().requirements, quorum: 2 },
    });
    const mrkdwn = textObjects(approvalMessage(request).blocks).filter((t) => t.type === 'mrkdwn');
    expect(mrkdwn.map((t) => t.text)).toEqual([
      expect.stringMatching(
        /^Request `[A-Za-z0-9_-]+` · expires <!date\^\d+\^\{date_short_pretty\} \{time\}\|[^<>]+>$/,
      ),
      `1 of 2 approvals: <@${ALICE}>`,
    ]);
  });
});

describe('approvalMessage: structured facts come first', () => {
  it('shows action, audience, agent, on-behalf-of (unverified), policy and binding code above the justification', () => {
    const request = pendingRequest({ onBehalfOf: 'carol@example.com' });
    const { blocks } = approvalMessage(request);
    expect(blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'Approval needed: db:DropTable', emoji: false },
    });
    const fields = (blocks[1]?.fields as TextObject[]).map((f) => f.text);
    expect(fields).toEqual([
      'Action\ndb:DropTable',
      `Audience (resource server)\n${request.audience}`,
      `Agent\n${request.agent}`,
      'On behalf of\ncarol@example.com (asserted by the agent, unverified)',
      'Policy\ndrop-prod-table',
      `Binding code\n${request.bindingCode}`,
      'Approvals needed\n1 from db-owners',
    ]);
    const justificationIndex = blocks.findIndex((b) =>
      JSON.stringify(b).includes('Justification (written by the agent'),
    );
    // The resource is no longer a (capped) field; it gets a section of its own before the justification.
    expect(justificationIndex).toBeGreaterThan(1);
  });

  it('names every determining policy and every group set an approver must belong to', () => {
    const request = pendingRequest({
      requirements: {
        ...pendingRequest().requirements,
        quorum: 2,
        approverGroups: [['db-owners'], ['platform-oncall', 'sre']],
        policies: ['restore-during-incident', 'restore-prod-snapshot'],
      },
    });
    const fields = (approvalMessage(request).blocks[1]?.fields as TextObject[]).map((f) => f.text);
    expect(fields).toContain('Policy\nrestore-during-incident, restore-prod-snapshot');
    expect(fields).toContain('Approvals needed\n2 from db-owners and platform-oncall or sre');
  });

  it('says "nobody" when no human was named', () => {
    const fields = (approvalMessage(pendingRequest()).blocks[1]?.fields as TextObject[]).map((f) => f.text);
    expect(fields).toContain('On behalf of\nnobody');
  });
});

describe('approvalMessage: within Slack’s limits for any valid request', () => {
  /** Every section text (max 3000) and every field (max 2000) of the message. */
  function sizes(request: ApprovalRequest): { sections: number[]; fields: number[] } {
    const blocks = approvalMessage(request).blocks.filter((b) => b.type === 'section');
    return {
      sections: blocks.flatMap((b) =>
        (b.text as TextObject | undefined) ? [(b.text as TextObject).text.length] : [],
      ),
      fields: blocks.flatMap((b) => ((b.fields as TextObject[] | undefined) ?? []).map((f) => f.text.length)),
    };
  }

  it('a valid 2000-character justification of "<" fits a section text (3000 characters)', () => {
    const input = parseCreateRequest({
      action: 'db:DropTable',
      resource: 'orders',
      audience: 'db-admin-api',
      justification: '<'.repeat(2000),
    });
    const text = justificationObject(pendingRequest({ justification: input.justification }));
    expect(text.text.length).toBeLessThanOrEqual(3000);
    expect(text.text.endsWith('&lt;…')).toBe(true);
  });

  it('a valid 512-character resource of "&" keeps every section within 3000 and every field within 2000', () => {
    const input = parseCreateRequest({
      action: 'db:DropTable',
      resource: '&'.repeat(MAX_RESOURCE_LENGTH),
      audience: 'db-admin-api',
      justification: '&'.repeat(2000),
      on_behalf_of: '&'.repeat(256),
    });
    const { sections, fields } = sizes(
      pendingRequest({
        resource: input.resource,
        justification: input.justification,
        onBehalfOf: input.onBehalfOf,
        agent: '&'.repeat(256),
      }),
    );
    expect(Math.max(...sections)).toBeLessThanOrEqual(3000);
    expect(Math.max(...fields)).toBeLessThanOrEqual(2000);
    expect(fields.length).toBeLessThanOrEqual(10);
  });
});

describe('approvalMessage: buttons', () => {
  it('has Approve and Deny buttons carrying the request id', () => {
    const request = pendingRequest();
    const actions = actionsBlocks(request);
    expect(actions).toHaveLength(1);
    const elements = actions[0]?.elements as Record<string, unknown>[];
    expect(elements.map((e) => [e.type, e.action_id, e.value])).toEqual([
      ['button', APPROVE_ACTION_ID, request.id],
      ['button', DENY_ACTION_ID, request.id],
    ]);
    expect(APPROVE_ACTION_ID).toBe('stepup_approve');
    expect(DENY_ACTION_ID).toBe('stepup_deny');
  });

  it('never puts the task token anywhere in the message, in any state', () => {
    for (const status of ['PENDING', 'APPROVED', 'DENIED', 'EXPIRED', 'CANCELLED', 'FAILED'] as const) {
      const request = pendingRequest({ taskToken: TASK_TOKEN, status, votes: [vote(ALICE, 'approve')] });
      const message = approvalMessage(request);
      expect(JSON.stringify(message.blocks)).not.toContain(TASK_TOKEN);
      expect(JSON.stringify(message.blocks)).not.toContain('distinctive-task-token');
      expect(message.text).not.toContain(TASK_TOKEN);
    }
  });
});

describe('approvalMessage: outcomes', () => {
  const outcomeOf = (request: ApprovalRequest): string | undefined => {
    const last = approvalMessage(request).blocks.at(-1) as { type: string; text?: TextObject };
    return last.type === 'section' && last.text?.type === 'mrkdwn' ? last.text.text : undefined;
  };

  it('shows no outcome line before the first vote', () => {
    expect(outcomeOf(pendingRequest())).toBeUndefined();
  });

  it('shows approvals so far while pending', () => {
    const request = pendingRequest({
      votes: [vote(ALICE, 'approve')],
      requirements: { ...pendingRequest().requirements, quorum: 2 },
    });
    const line = approvalMessage(request).blocks.find(
      (b) => b.type === 'section' && (b.text as TextObject | undefined)?.type === 'mrkdwn',
    );
    expect((line?.text as TextObject).text).toBe(`1 of 2 approvals: <@${ALICE}>`);
    expect(actionsBlocks(request)).toHaveLength(1);
  });

  it('approved: names every approver, no buttons', () => {
    const request = pendingRequest({
      status: 'APPROVED',
      votes: [vote(ALICE, 'approve'), vote(BOB, 'approve')],
    });
    expect(outcomeOf(request)).toBe(`:white_check_mark: Approved by <@${ALICE}>, <@${BOB}>`);
    expect(actionsBlocks(request)).toEqual([]);
    expect(approvalMessage(request).text).toBe(`Approved: stepup request ${request.id}`);
  });

  it('denied: names the denier, then the (escaped) reason as plain text, never mrkdwn; no buttons', () => {
    const request = pendingRequest({
      status: 'DENIED',
      votes: [vote(BOB, 'deny', '*freeze* <!channel>')],
      denialReason: '*freeze* <!channel>',
    });
    const { blocks } = approvalMessage(request);
    expect(blocks.at(-2)).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: `:no_entry: Denied by <@${BOB}>` },
    });
    expect(blocks.at(-1)).toEqual({
      type: 'section',
      text: { type: 'plain_text', text: 'Reason: *freeze* &lt;!channel&gt;', emoji: false },
    });
    expect(actionsBlocks(request)).toEqual([]);
  });

  it('denied without a reason', () => {
    const request = pendingRequest({ status: 'DENIED', votes: [vote(BOB, 'deny')] });
    expect(outcomeOf(request)).toBe(`:no_entry: Denied by <@${BOB}>`);
  });

  it('expired: says nobody decided in time, no buttons', () => {
    const request = pendingRequest({ status: 'EXPIRED' });
    expect(outcomeOf(request)).toBe(':hourglass: Expired: nobody decided in time');
    expect(actionsBlocks(request)).toEqual([]);
  });

  it('cancelled: says the agent withdrew it, no buttons', () => {
    const request = pendingRequest({ status: 'CANCELLED' });
    expect(outcomeOf(request)).toBe(':heavy_multiplication_x: Cancelled by the agent');
    expect(actionsBlocks(request)).toEqual([]);
  });

  it('failed after approval: names the approvers and says nothing was granted, no buttons', () => {
    const request = pendingRequest({ status: 'FAILED', votes: [vote(ALICE, 'approve')] });
    expect(outcomeOf(request)).toBe(
      `:warning: Failed: approved by <@${ALICE}>, but could not be completed; nothing was granted`,
    );
    expect(actionsBlocks(request)).toEqual([]);
    expect(approvalMessage(request).text).toBe(`Failed: stepup request ${request.id}`);
  });

  it('failed while pending: says it could not be completed', () => {
    const request = pendingRequest({ status: 'FAILED' });
    expect(outcomeOf(request)).toBe(':warning: Failed: could not be completed; nothing was granted');
  });
});

describe('approvalMessage: the resource is shown in full', () => {
  it('a valid 512-character resource appears in full in the approval message blocks', () => {
    const resource = `arn:aws:s3:::${'a'.repeat(MAX_RESOURCE_LENGTH - 24)}-production`;
    const input = parseCreateRequest({
      action: 'db:DropTable',
      resource,
      audience: 'db-admin-api',
      justification: 'x',
    });
    expect(input.resource).toHaveLength(512);
    expect(JSON.stringify(approvalMessage(pendingRequest({ resource: input.resource })).blocks)).toContain(
      resource,
    );
  });

  it('shows "Resource\\n<resource>" in its own section right after the fields, before the justification', () => {
    const request = pendingRequest();
    const { blocks } = approvalMessage(request);
    expect(blocks[2]).toEqual({
      type: 'section',
      text: { type: 'plain_text', text: `Resource\n${request.resource}`, emoji: false },
    });
    expect(JSON.stringify(blocks[3])).toContain('Justification');
  });
});
