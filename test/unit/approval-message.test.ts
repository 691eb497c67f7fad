import { describe, expect, it } from 'vitest';
import {
  AGENT_LINE_PREFIX,
  AGENT_TEXT_LABEL,
  APPROVE_ACTION_ID,
  DENY_ACTION_ID,
  approvalMessage,
  type Block,
} from '../../lambdas/adapters/slack/approval-message';
import type { ApprovalRequest, Vote } from '../../lambdas/domain/requests/approval-request';
import { parseCreateRequest } from '../../lambdas/api/schemas/create-request';
import { MAX_RESOURCE_LENGTH } from '../../lambdas/domain/requests/create-request';
import { bindParameters } from '../../lambdas/domain/requests/parameters';
import {
  SHOW_PARAMETERS_ACTION_ID,
  fullParametersMessage,
} from '../../lambdas/adapters/slack/parameters-message';
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

/** A block as plain JSON, to look into any of its members. */
type Loose = Record<string, unknown>;
const loose = (block: Block | undefined): Loose => (block ?? {}) as Loose;

/** The text object of what the agent wrote. */
function justificationObject(request: ApprovalRequest): TextObject {
  const found = textObjects(approvalMessage(request).blocks).filter((t) =>
    t.text.startsWith(AGENT_TEXT_LABEL),
  );
  expect(found).toHaveLength(1);
  return found[0] as TextObject;
}

/** The justification as the agent block quotes it, without the labels and line prefixes. */
function justificationShown(request: ApprovalRequest): string {
  const [, , ...lines] = justificationObject(request).text.split('\n');
  for (const line of lines) expect(line.startsWith(AGENT_LINE_PREFIX)).toBe(true);
  return lines.map((line) => line.slice(AGENT_LINE_PREFIX.length)).join('\n');
}

function actionsBlocks(request: ApprovalRequest): Loose[] {
  return approvalMessage(request)
    .blocks.filter((b) => b.type === 'actions')
    .map(loose);
}

/** The texts of the facts section (the one with fields). */
function factFields(request: ApprovalRequest): string[] {
  const facts = approvalMessage(request)
    .blocks.map(loose)
    .find((b) => Array.isArray(b.fields));
  return (facts?.fields as TextObject[]).map((f) => f.text);
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
    expect(text.text).toBe(`${AGENT_TEXT_LABEL}\nJustification\n${AGENT_LINE_PREFIX}Routine cleanup.`);
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
    expect(justificationShown(pendingRequest({ justification: 'x'.repeat(10_000) })).endsWith('x…')).toBe(
      true,
    );
    expect(text.text.length).toBeLessThan(3000);
  });

  it('keeps emoji and non-ASCII text, and newlines', () => {
    expect(justificationShown(pendingRequest({ justification: 'Größe 🔥\n注文 👍🏽' }))).toBe(
      'Größe 🔥\n注文 👍🏽',
    );
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
        /^Binding code `[A-Z0-9-]+`: the agent shows its user the same code · Request `[A-Za-z0-9_-]+` · expires <!date\^\d+\^\{date_short_pretty\} \{time\}\|[^<>]+>$/,
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
      text: {
        type: 'plain_text',
        text: `Approval needed: db:DropTable on ${request.resource}`,
        emoji: false,
      },
    });
    const fields = factFields(request);
    expect(fields).toEqual([
      'Action\ndb:DropTable',
      `Audience (resource server)\n${request.audience}`,
      `Agent\n${request.agent}`,
      'On behalf of\ncarol@example.com (asserted by the agent, unverified)',
      'Policy\ndrop-prod-table',
      `Binding code\n${request.bindingCode}`,
      'Approvals needed\n1 from db-owners',
    ]);
    const justificationIndex = blocks.findIndex((b) => JSON.stringify(b).includes(AGENT_TEXT_LABEL));
    // What the agent wrote comes after every fact, below a divider.
    expect(blocks[justificationIndex - 1]).toEqual({ type: 'divider' });
    expect(blocks.findIndex((b) => JSON.stringify(b).includes('Resource\\n'))).toBeLessThan(
      justificationIndex,
    );
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
    const fields = factFields(request);
    expect(fields).toContain('Policy\nrestore-during-incident, restore-prod-snapshot');
    expect(fields).toContain('Approvals needed\n2 from db-owners and platform-oncall or sre');
  });

  it('says "nobody" when no human was named', () => {
    expect(factFields(pendingRequest())).toContain('On behalf of\nnobody');
  });
});

describe('approvalMessage: within Slack’s limits for any valid request', () => {
  /** Every section text (max 3000) and every field (max 2000) of the message. */
  function sizes(request: ApprovalRequest): { sections: number[]; fields: number[] } {
    const blocks = approvalMessage(request)
      .blocks.filter((b) => b.type === 'section')
      .map(loose);
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
    const last = loose(approvalMessage(request).blocks.at(-1)) as { type: string; text?: TextObject };
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
    const line = approvalMessage(request)
      .blocks.map(loose)
      .find((b) => b.type === 'section' && (b.text as TextObject | undefined)?.type === 'mrkdwn');
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
    const facts = blocks.findIndex((b) => Array.isArray(loose(b).fields));
    expect(blocks[facts + 1]).toEqual({
      type: 'section',
      text: { type: 'plain_text', text: `Resource\n${request.resource}`, emoji: false },
    });
  });
});

describe('approvalMessage: the risk first', () => {
  const header = (request: ApprovalRequest) =>
    (loose(approvalMessage(request).blocks[0]).text as TextObject).text;

  it('names the action and the resource in the header, so two DropTable requests never look alike', () => {
    expect(header(pendingRequest({ resource: 'prod/orders' }))).toBe(
      '[PROD] Approval needed: db:DropTable on prod/orders',
    );
    expect(header(pendingRequest({ resource: 'prod/customers' }))).toBe(
      '[PROD] Approval needed: db:DropTable on prod/customers',
    );
    // Two longest resources that differ only at their end: the header keeps both ends.
    const long = (end: string) => `analytics/${'x'.repeat(MAX_RESOURCE_LENGTH - 20)}/${end}`;
    const a = header(pendingRequest({ resource: long('orders') }));
    const b = header(pendingRequest({ resource: long('refund') }));
    expect(a).not.toBe(b);
    expect(a.endsWith('/orders')).toBe(true);
    expect([...a].length).toBeLessThanOrEqual(150);
    expect(header(pendingRequest({ resource: '&'.repeat(MAX_RESOURCE_LENGTH) })).length).toBeLessThanOrEqual(
      150,
    );
  });

  it('marks the environment the resource names, by one rule (PROD wins), and none when it names none', () => {
    for (const [resource, marker] of [
      ['prod/orders', '[PROD] '],
      ['arn:aws:dynamodb:eu-west-1:123456789012:table/orders-production', '[PROD] '],
      ['staging/orders', '[STAGING] '],
      ['dev/orders-prod-copy', '[PROD] '],
      ['orders', ''],
      ['products/catalog', ''],
    ] as const) {
      expect(header(pendingRequest({ resource }))).toBe(
        `${marker}Approval needed: db:DropTable on ${resource}`,
      );
    }
    expect(header(pendingRequest({ status: 'APPROVED', resource: 'prod/orders' }))).toMatch(
      /^\[PROD\] Approved: db:DropTable on /,
    );
  });

  it('shows the policy’s own @description labelled as the policy author’s words', () => {
    const request = pendingRequest({
      requirements: {
        ...pendingRequest().requirements,
        description: 'Dropping a production table loses data for good.',
      },
    });
    const texts = textObjects(approvalMessage(request).blocks).map((t) => t.text);
    expect(texts).toContain(
      'Policy drop-prod-table says (the policy author’s words):\nDropping a production table loses data for good.',
    );
    expect(texts.some((t) => t.startsWith('Policy drop-prod-table says'))).toBe(true);
    expect(textObjects(approvalMessage(pendingRequest()).blocks).some((t) => t.text.includes('says ('))).toBe(
      false,
    );
  });

  it('a justification that imitates fields stays quoted in the agent block and never resembles a field', () => {
    const forged = '*Action:* logs:Read\nAction\nlogs:Read\nApproved by: security';
    const request = pendingRequest({ justification: forged });
    const { blocks } = approvalMessage(request);
    const agentBlock = blocks.findIndex((b) => JSON.stringify(b).includes(AGENT_TEXT_LABEL));
    // Only the agent block carries it, after every fact and the divider.
    const carrying = blocks.filter((b) => JSON.stringify(b).includes('logs:Read'));
    expect(carrying).toEqual([blocks[agentBlock]]);
    expect(blocks[agentBlock - 1]).toEqual({ type: 'divider' });
    const lines = justificationObject(request).text.split('\n');
    expect(lines.slice(0, 2)).toEqual([AGENT_TEXT_LABEL, 'Justification']);
    expect(lines.slice(2)).toEqual(forged.split('\n').map((line) => `${AGENT_LINE_PREFIX}${line}`));
    // No line of it starts where a field's label does.
    const labels = factFields(request).map((f) => f.split('\n')[0]);
    for (const line of lines.slice(2)) expect(labels.some((label) => line.startsWith(label!))).toBe(false);
  });

  it('Approve asks for confirmation repeating action and resource (within Slack’s limits); Deny opens its dialog', () => {
    const request = pendingRequest({ resource: 'prod/orders' });
    const [approve, deny] = actionsBlocks(request)[0]?.elements as Loose[];
    expect(approve?.confirm).toEqual({
      title: { type: 'plain_text', text: 'Approve db:DropTable?', emoji: false },
      text: {
        type: 'plain_text',
        text: `db:DropTable on prod/orders, for ${request.audience}`,
        emoji: false,
      },
      confirm: { type: 'plain_text', text: 'Approve', emoji: false },
      deny: { type: 'plain_text', text: 'Cancel', emoji: false },
      style: 'primary',
    });
    expect(deny?.confirm).toBeUndefined();
    const widest = pendingRequest({ resource: '&'.repeat(MAX_RESOURCE_LENGTH), audience: '&'.repeat(256) });
    const confirm = (actionsBlocks(widest)[0]?.elements as Loose[])[0]?.confirm as Record<string, TextObject>;
    expect(confirm.text!.text.length).toBeLessThanOrEqual(300);
    expect(confirm.title!.text.length).toBeLessThanOrEqual(100);
  });
});

describe('approvalMessage: parameters', () => {
  const parametersText = (request: ApprovalRequest) =>
    textObjects(approvalMessage(request).blocks).find((t) => t.text.startsWith('Parameters'));

  it('shows the exact arguments as indented JSON in plain text, escaped, before what the agent wrote', () => {
    const parameters = bindParameters({ sql: 'DROP TABLE orders; -- <!channel>', rows: [1, 2] });
    const request = pendingRequest({ parameters });
    const text = parametersText(request);
    expect(text).toEqual({
      type: 'plain_text',
      text:
        'Parameters (the exact arguments; the token is valid only with these):\n' +
        '{\n  "rows": [\n    1,\n    2\n  ],\n  "sql": "DROP TABLE orders; -- &lt;!channel&gt;"\n}',
    });
    const { blocks } = approvalMessage(request);
    const at = (needle: string) => blocks.findIndex((b) => JSON.stringify(b).includes(needle));
    expect(at('Parameters (')).toBeLessThan(at(AGENT_TEXT_LABEL));
    expect(parametersText(pendingRequest())).toBeUndefined();
  });

  it('a line break inside a value cannot start a line of its own (JSON escapes it)', () => {
    const text = parametersText(
      pendingRequest({ parameters: bindParameters({ note: 'x\nAction\nlogs:Read' }) }),
    );
    expect(text?.text.split('\n')).toContain('  "note": "x\\nAction\\nlogs:Read"');
  });

  it('caps 8 KB of arguments within a section, with a button that shows them in full', () => {
    const request = pendingRequest({ parameters: bindParameters({ body: '<'.repeat(8000) }) });
    const text = parametersText(request)!.text;
    expect(text.length).toBeLessThanOrEqual(3000);
    expect(text).toContain('(cut here: "Show full parameters" sends them to you privately, in full)');
    const buttons = JSON.stringify(approvalMessage(request).blocks.at(-1));
    expect(buttons).toContain(`"action_id":"${SHOW_PARAMETERS_ACTION_ID}"`);
    expect(
      JSON.stringify(approvalMessage(pendingRequest({ parameters: bindParameters({ a: 1 }) })).blocks),
    ).not.toContain(SHOW_PARAMETERS_ACTION_ID);
  });

  it('a passkey request points to its approval page instead of the button', () => {
    const base = pendingRequest({ parameters: bindParameters({ body: 'x'.repeat(8000) }) });
    const request = { ...base, requirements: { ...base.requirements, assurance: 'passkey' as const } };
    expect(parametersText(request)!.text).toContain('Approve or Deny sends you a link to the approval page');
    expect(JSON.stringify(approvalMessage(request).blocks)).not.toContain(SHOW_PARAMETERS_ACTION_ID);
  });
});

describe('fullParametersMessage', () => {
  const all = (request: Parameters<typeof fullParametersMessage>[0]) =>
    fullParametersMessage(request).blocks.map((b) => (b as { text: { type: string; text: string } }).text);

  it('shows 8 KB of escaped arguments in full, in plain-text sections within Slack limits', () => {
    const body = '<&>'.repeat(2600);
    const parameters = bindParameters({ body, sql: 'DROP TABLE orders' });
    const request = { ...pendingRequest({ parameters }), parameters };
    const texts = all(request);
    expect(texts.every((t) => t.type === 'plain_text' && t.text.length <= 3000)).toBe(true);
    expect(texts.length).toBeLessThanOrEqual(50);
    expect(texts[0]!.text).toContain(parameters.sha256);
    const shown = texts
      .slice(1)
      .map((t) => t.text)
      .join('');
    expect(shown).toBe(
      JSON.stringify({ body, sql: 'DROP TABLE orders' }, null, 2)
        .replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;'),
    );
  });

  it('falls back to the compact canonical form when the indented one needs too many blocks', () => {
    // 3,000 small numbers 30 levels down: 6 KB compact, some 200 KB once each sits indented on its line.
    let deep: unknown = Array.from({ length: 3000 }, () => 1);
    for (let i = 0; i < 29; i += 1) deep = [deep];
    const parameters = bindParameters({ deep });
    const request = { ...pendingRequest({ parameters }), parameters };
    const texts = all(request);
    expect(texts.length).toBeLessThanOrEqual(50);
    expect(
      texts
        .slice(1)
        .map((t) => t.text)
        .join(''),
    ).toBe(parameters.canonical);
  });
});
