import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbRequestStore } from '../../lambdas/adapters/aws/dynamodb-request-store';
import {
  MAX_RESOURCE_LENGTH,
  MAX_TOKEN_TTL_SECONDS,
  POLL_INTERVAL_SECONDS,
  createRequest,
} from '../../lambdas/domain/requests/create-request';
import { errorBody } from '../../lambdas/api/error-response';
import { parseCreateRequest } from '../../lambdas/api/schemas/create-request';
import { GRANT_PICKUP_SECONDS } from '../../lambdas/domain/tokens/issue-grant';
import type { ApprovalPolicy, PolicyDecision, PolicyQuestion } from '../../lambdas/ports/approval-policy';
import type { RequestStore } from '../../lambdas/ports/request-store';
import type { Workflow, WorkflowInput } from '../../lambdas/ports/workflow';
import { startLocalDynamoDb, type LocalDynamoDb } from '../../local/local-dynamodb';
import { NOW, expectStepUpError, fixedClock, rejectionOf, thrownBy } from './support/fixtures';
import { historyOf } from '../../lambdas/domain/agents/agent-history';
import { StepUpError } from '../../lambdas/domain/errors';
import type { AgentHistoryStore } from '../../lambdas/ports/agent-history-store';

const RLO = '\u202e';

function body(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    action: 'db:DropTable',
    resource: 'arn:aws:dynamodb:eu-west-1:123456789012:table/orders',
    audience: 'db-admin-api',
    justification: 'Dropping the migrated copy of orders.',
    ...overrides,
  };
}

function without(field: string): Record<string, unknown> {
  const { [field]: _removed, ...rest } = body();
  return rest;
}

/** Asserts the body is refused with a 400 `invalid_request` whose description mentions `mentions`. */
function expectInvalid(raw: unknown, mentions: string): Error {
  return expectStepUpError(
    thrownBy(() => parseCreateRequest(raw)),
    'invalid_request',
    400,
    mentions,
  );
}

describe('parseCreateRequest: valid bodies', () => {
  it('returns the validated fields', () => {
    expect(
      parseCreateRequest(body({ on_behalf_of: 'carol@example.com', requested_ttl_seconds: 120 })),
    ).toEqual({
      action: 'db:DropTable',
      resource: 'arn:aws:dynamodb:eu-west-1:123456789012:table/orders',
      audience: 'db-admin-api',
      justification: 'Dropping the migrated copy of orders.',
      onBehalfOf: 'carol@example.com',
      requestedTtlSeconds: 120,
      signals: {},
    });
  });

  it('leaves the optional fields undefined when absent', () => {
    const parsed = parseCreateRequest(body());
    expect(parsed.onBehalfOf).toBeUndefined();
    expect(parsed.requestedTtlSeconds).toBeUndefined();
  });

  it('returns the context object as signals', () => {
    expect(parseCreateRequest(body({ context: { ticket: 'CHG-1', incident: 'INC-7' } })).signals).toEqual({
      ticket: 'CHG-1',
      incident: 'INC-7',
    });
    expect(parseCreateRequest(body({ context: {} })).signals).toEqual({});
  });

  it('accepts action names with digits, dashes, dots and underscores', () => {
    for (const action of ['s3:DeleteBucket', 'github-repo:merge_to.main', 'k8s:Delete-Namespace']) {
      expect(parseCreateRequest(body({ action })).action).toBe(action);
    }
  });

  it('accepts non-ASCII text in resource and justification', () => {
    const parsed = parseCreateRequest(
      body({ resource: 'table/Bestellungen-Größe', justification: 'Löschen 🔥' }),
    );
    expect(parsed.resource).toBe('table/Bestellungen-Größe');
    expect(parsed.justification).toBe('Löschen 🔥');
  });
});

describe('parseCreateRequest: required fields', () => {
  for (const field of ['action', 'resource', 'audience', 'justification']) {
    it(`rejects a body without ${field}`, () => {
      expectInvalid(without(field), field);
    });

    it(`rejects an empty, blank or non-string ${field}`, () => {
      for (const value of ['', '   ', 42, null, ['x'], { x: 1 }]) {
        expectInvalid(body({ [field]: value }), `${field} is required`);
      }
    });
  }
});

describe('parseCreateRequest: shape', () => {
  it('rejects a body that is not a JSON object', () => {
    for (const raw of [null, undefined, 'action=db:DropTable', 42, [body()], true]) {
      expectInvalid(raw, 'request body must be a JSON object');
    }
  });

  it('rejects unknown fields, counting them and naming only the accepted ones (never echoing input)', () => {
    const error = expectInvalid(
      body({ approver: 'U0ALICE' }),
      '1 unknown field; the accepted fields are action,',
    );
    expect(error.message).not.toContain('approver');
    const two = expectInvalid(body({ Action: 'db:DropTable', '<img src=x>': 1 }), '2 unknown fields;');
    expect(two.message).not.toMatch(/Action|img/);
  });

  it('rejects a context that is not an object', () => {
    for (const context of ['risky', [1], null]) expectInvalid(body({ context }), 'context');
  });
});

describe('parseCreateRequest: context (signals)', () => {
  it('accepts signal names of lowercase letters, digits and _ (starting with a letter, at most 64)', () => {
    const name = `s${'x'.repeat(63)}`;
    expect(
      parseCreateRequest(body({ context: { a: 'x', change_ticket2: 'y', [name]: 'z' } })).signals,
    ).toEqual({ a: 'x', change_ticket2: 'y', [name]: 'z' });
  });

  it('rejects other signal names, describing the rule without echoing the key', () => {
    for (const key of ['Ticket', '2fa', '_x', 'change-ticket', 'a b', '', `s${'x'.repeat(64)}`]) {
      const error = expectInvalid(body({ context: { [key]: 'x' } }), 'context has a signal name that is not');
      if (key) expect(error.message).not.toContain(key);
    }
  });

  it('rejects a "__proto__" key from JSON as a bad name, not a prototype change', () => {
    const raw = JSON.parse(JSON.stringify(body()).replace(/}$/, ',"context":{"__proto__":"x"}}')) as unknown;
    expectInvalid(raw, 'context has a signal name that is not');
  });

  it('keeps a signal named like an Object.prototype member as an ordinary own value', () => {
    const { signals } = parseCreateRequest(body({ context: { constructor: 'x', tostring: 'y' } }));
    expect(Object.entries(signals)).toEqual([
      ['constructor', 'x'],
      ['tostring', 'y'],
    ]);
  });

  it('requires every signal value to be a non-empty, single-line string of at most 256 characters', () => {
    for (const value of [42, true, null, { x: 1 }, ['x'], '', ' ', 'a\nb', `x${RLO}`, 'x'.repeat(257)]) {
      expectInvalid(body({ context: { ticket: value } }), 'ticket');
    }
    expect(parseCreateRequest(body({ context: { ticket: 'x'.repeat(256) } })).signals.ticket).toHaveLength(
      256,
    );
  });
});

describe('parseCreateRequest: action', () => {
  it('requires the service:Verb pattern', () => {
    for (const action of [
      'DropTable',
      'db:',
      ':DropTable',
      'db:Drop Table',
      '1db:DropTable',
      'db::DropTable',
    ]) {
      expectInvalid(body({ action }), 'action must be service:Verb');
    }
  });

  it('caps the action at 128 characters', () => {
    expect(parseCreateRequest(body({ action: `db:${'A'.repeat(125)}` })).action).toHaveLength(128);
    expectInvalid(body({ action: `db:${'A'.repeat(126)}` }), 'action must be at most 128');
  });
});

describe('parseCreateRequest: audience', () => {
  it('refuses spaces and non-ASCII', () => {
    expectInvalid(body({ audience: 'db admin' }), 'audience');
    expectInvalid(body({ audience: 'dbé' }), 'audience');
  });

  it('accepts letters, digits and ._:/@- (URLs, URNs, ARNs, service names)', () => {
    for (const audience of [
      'db-admin-api',
      'https://api.example.com/v1',
      'urn:example:db_admin',
      'arn:aws:lambda:eu-west-1:123456789012:function:x',
      'svc@team.example',
    ]) {
      expect(parseCreateRequest(body({ audience })).audience).toBe(audience);
    }
  });

  it('refuses anything else, including Slack and HTML markup characters', () => {
    for (const audience of ['<!channel>', 'a&b', 'a*b', 'a|b', 'a?x=1', 'a#b', 'a,b', "a'b", 'a"b']) {
      expectInvalid(body({ audience }), 'audience must be a resource server id');
    }
  });

  it('caps the audience at 256 characters', () => {
    expect(parseCreateRequest(body({ audience: 'a'.repeat(256) })).audience).toHaveLength(256);
    expectInvalid(body({ audience: 'a'.repeat(257) }), 'audience must be at most 256');
  });
});

describe('parseCreateRequest: resource', () => {
  it(`accepts ${MAX_RESOURCE_LENGTH} characters (code points) and rejects one more`, () => {
    expect(MAX_RESOURCE_LENGTH).toBe(512);
    expect(parseCreateRequest(body({ resource: 'r'.repeat(512) })).resource).toHaveLength(512);
    expect(parseCreateRequest(body({ resource: '😀'.repeat(512) })).resource).toHaveLength(1024);
    expectInvalid(body({ resource: 'r'.repeat(513) }), 'resource must be at most 512');
  });

  it('rejects < and > (they could form Slack mentions and links)', () => {
    for (const resource of ['<!channel>', 'table/<orders', 'a>b', '<@U0123>']) {
      expectInvalid(body({ resource }), 'resource must be a resource name without < or >');
    }
  });

  it('accepts &, spaces and other punctuation', () => {
    for (const resource of ['R&D/reports', 'prod/orders db', 'arn:aws:s3:::bucket/key?x=1#y', '*']) {
      expect(parseCreateRequest(body({ resource })).resource).toBe(resource);
    }
  });
});

describe('parseCreateRequest: justification length (code points)', () => {
  it('accepts 2000 characters and rejects 2001', () => {
    expect(parseCreateRequest(body({ justification: 'x'.repeat(2000) })).justification).toHaveLength(2000);
    expectInvalid(body({ justification: 'x'.repeat(2001) }), 'justification must be at most 2000');
  });

  it('counts an emoji as one character: 2000 emoji (4000 UTF-16 units) are accepted', () => {
    const emoji = '😀'.repeat(2000);
    expect(emoji.length).toBe(4000);
    expect(parseCreateRequest(body({ justification: emoji })).justification).toBe(emoji);
    expectInvalid(body({ justification: `${emoji}😀` }), 'justification must be at most 2000');
  });
});

describe('parseCreateRequest: control and bidi characters', () => {
  it('rejects a right-to-left override in resource', () => {
    expectInvalid(body({ resource: `table/orders${RLO}kcab` }), 'resource contains control');
  });

  it('rejects C0 and C1 controls, zero-width characters, isolates and the BOM in resource', () => {
    for (const ch of [
      '\u0000',
      '\u0007',
      '\u001b',
      '\u007f',
      '\u0085',
      '\u200b',
      '\u200e',
      '\u2066',
      '\ufeff',
    ]) {
      expectInvalid(body({ resource: `table/${ch}orders` }), 'resource contains control');
    }
  });

  it('rejects the same characters in the justification, action, audience and on_behalf_of', () => {
    expectInvalid(body({ justification: `approve ${RLO}ynned` }), 'justification contains control');
    expectInvalid(body({ audience: `db${RLO}api` }), 'audience');
    expectInvalid(body({ on_behalf_of: `carol${RLO}@example.com` }), 'on_behalf_of contains control');
  });

  it('allows newlines and tabs in the justification', () => {
    const justification = 'Line one.\nLine two.\r\n\tIndented.';
    expect(parseCreateRequest(body({ justification })).justification).toBe(justification);
  });

  it('rejects newlines and tabs in the resource and on_behalf_of', () => {
    for (const ch of ['\n', '\r', '\t']) {
      expectInvalid(body({ resource: `table/orders${ch}table/users` }), 'resource contains control');
      expectInvalid(body({ on_behalf_of: `carol${ch}` }), 'on_behalf_of');
    }
  });
});

describe('parseCreateRequest: requested_ttl_seconds', () => {
  it(`accepts integers from 1 to ${MAX_TOKEN_TTL_SECONDS}`, () => {
    expect(parseCreateRequest(body({ requested_ttl_seconds: 1 })).requestedTtlSeconds).toBe(1);
    expect(
      parseCreateRequest(body({ requested_ttl_seconds: MAX_TOKEN_TTL_SECONDS })).requestedTtlSeconds,
    ).toBe(MAX_TOKEN_TTL_SECONDS);
  });

  it('rejects zero, negatives, too large, fractions and strings', () => {
    for (const value of [0, -5, MAX_TOKEN_TTL_SECONDS + 1, 1.5, '60', Number.NaN, Infinity, null]) {
      expectInvalid(body({ requested_ttl_seconds: value }), 'requested_ttl_seconds must be an integer');
    }
  });
});

describe('createRequest (stub policy, real DynamoDbRequestStore on dynalite)', () => {
  let db: LocalDynamoDb;
  let store: DynamoDbRequestStore;
  beforeAll(async () => {
    db = await startLocalDynamoDb();
    store = new DynamoDbRequestStore(db.client, db.tableName);
  });
  afterAll(async () => {
    await db.close();
  });

  class StartRecordingWorkflow implements Pick<Workflow, 'start'> {
    readonly started: WorkflowInput[] = [];
    constructor(private readonly failure?: Error) {}
    async start(input: WorkflowInput): Promise<void> {
      if (this.failure) throw this.failure;
      this.started.push(input);
    }
    async sendTaskSuccess(): Promise<'resumed'> {
      return 'resumed';
    }
  }

  /** A policy that always answers `decision`, remembering the questions. */
  function stubPolicy(decision: PolicyDecision): ApprovalPolicy & { questions: PolicyQuestion[] } {
    const questions: PolicyQuestion[] = [];
    return {
      questions,
      actions: ['db:DropTable', 'dynamodb:DeleteTable', 'logs:Read'],
      historyUse: [],
      decide: (question) => (questions.push(question), decision),
    };
  }

  const stepUp: PolicyDecision = {
    kind: 'step_up',
    requirements: {
      approverGroups: [['db-owners'], ['platform-oncall']],
      quorum: 2,
      approvalTimeoutSeconds: 600,
      maxTokenTtlSeconds: 120,
      escalateTo: 'platform-oncall',
      policies: ['drop-prod-table', 'incident'],
    },
  };

  function deps(decision: PolicyDecision, workflow = new StartRecordingWorkflow()) {
    const policy = stubPolicy(decision);
    return { deps: { store, workflow, policy, clock: fixedClock() }, workflow, policy };
  }

  it('asks the policy the whole question: agent, action, resource, audience, human, TTL and signals', async () => {
    const { deps: d, policy } = deps(stepUp);
    await createRequest(
      d,
      'deploy-bot',
      parseCreateRequest(
        body({ on_behalf_of: 'carol@example.com', requested_ttl_seconds: 60, context: { ticket: 'CHG-1' } }),
      ),
    );
    expect(policy.questions).toEqual([
      {
        agent: 'deploy-bot',
        action: 'db:DropTable',
        resource: 'arn:aws:dynamodb:eu-west-1:123456789012:table/orders',
        audience: 'db-admin-api',
        onBehalfOf: 'carol@example.com',
        humanVerified: false,
        requestedTtlSeconds: 60,
        signals: { ticket: 'CHG-1' },
      },
    ]);
  });

  it('reads the agent’s history only for the leaves the policies read, and not at all when they read none', async () => {
    const reads: unknown[][] = [];
    const history = {
      read: async (...args: Parameters<AgentHistoryStore['read']>) => {
        reads.push(args);
        return historyOf({ action: { last_24h: { denied: 3 } } });
      },
    };
    const input = parseCreateRequest(body());
    const { deps: none, policy: unread } = deps(stepUp);
    await createRequest({ ...none, history }, 'deploy-bot', input);
    expect(reads).toEqual([]);
    expect(unread.questions[0]?.history).toBeUndefined();

    const { deps: some, policy: reading } = deps(stepUp);
    const policy = { ...reading, historyUse: ['action.last_24h.denied' as const] };
    await createRequest({ ...some, policy, history }, 'deploy-bot', input);
    expect(reads).toEqual([
      ['deploy-bot', 'db:DropTable', input.resource, fixedClock().now(), ['action.last_24h.denied']],
    ]);
    expect(reading.questions[0]?.history?.action.last_24h.denied).toBe(3);
  });

  it('asks whether approvers can be paged while the policy decides, and stores nothing when they cannot', async () => {
    const order: string[] = [];
    let historyAsked!: () => void;
    const asked = new Promise<void>((resolve) => (historyAsked = resolve));
    const history = {
      read: async () => {
        order.push('history read');
        historyAsked();
        return historyOf({});
      },
    };
    const { deps: d, policy: stub } = deps(stepUp);
    const policy = { ...stub, historyUse: ['overall.pending' as const] };
    // Answers only once the history is being read: a check made before the decision would wait forever.
    const paging = {
      assertReady: async () => {
        order.push('paging asked');
        await asked;
        order.push('paging answered: not ready');
        throw new StepUpError('temporarily_unavailable', 'approvers cannot be paged yet');
      },
    };
    const before = await store.listByAgent('paging-bot');
    const error = await rejectionOf(
      createRequest({ ...d, policy, history, paging }, 'paging-bot', parseCreateRequest(body())),
    );
    expectStepUpError(error, 'temporarily_unavailable', 503);
    expect(order).toEqual(['paging asked', 'history read', 'paging answered: not ready']);
    expect(await store.listByAgent('paging-bot')).toEqual(before);
  });

  it('step-up: stores a PENDING request with the requirements and starts the workflow', async () => {
    const { deps: d, workflow } = deps(stepUp);
    const created = await createRequest(d, 'deploy-bot', parseCreateRequest(body()));
    expect(created).toEqual({
      auth_req_id: expect.any(String),
      status: 'pending',
      // The policy names an escalation group: two approval windows of 600 s.
      expires_in: 1200,
      interval: POLL_INTERVAL_SECONDS,
      binding_code: expect.any(String),
    });
    const stored = await store.get(created.auth_req_id);
    expect(stored).toMatchObject({
      status: 'PENDING',
      policyOutcome: 'step_up',
      requirements: stepUp.kind === 'step_up' ? stepUp.requirements : {},
      requestedTtlSeconds: 120,
      bindingCode: created.binding_code,
      expiresAt: new Date(NOW.getTime() + 600_000).toISOString(),
    });
    expect(stored?.grant).toBeUndefined();
    expect(stored?.events.map((e) => e.type)).toEqual(['requested']);
    expect(stored?.events[0]?.detail).toMatchObject({
      policy: 'drop-prod-table, incident',
      outcome: 'step_up',
    });
    expect(workflow.started).toEqual([
      { request_id: created.auth_req_id, approval_timeout_seconds: 600, escalate_to: 'platform-oncall' },
    ]);
  });

  it('an AWS-target audience: refuses, before the policy is asked or anything is stored, a request no session policy could express exactly', async () => {
    const { deps: d, policy, workflow } = deps(stepUp);
    const aws = {
      ...d,
      awsTargets: { 'aws:prod': { roleArn: 'arn:aws:iam::123456789012:role/stepup-target' } },
    };
    for (const [action, resource] of [
      ['db:DropTable', 'arn:aws:dynamodb:eu-west-1:123456789012:table/orders'],
      ['dynamodb:DeleteTable', 'prod/orders'],
      ['dynamodb:DeleteTable', 'arn:aws:dynamodb:eu-west-1:123456789012:table/*'],
    ] as const) {
      expectStepUpError(
        await rejectionOf(
          createRequest(
            aws,
            'deploy-bot',
            parseCreateRequest(body({ action, resource, audience: 'aws:prod' })),
          ),
        ),
        'invalid_request',
        400,
        'aws:prod is an AWS target',
      );
    }
    expect(policy.questions).toEqual([]);
    expect(workflow.started).toEqual([]);
    const created = await createRequest(
      aws,
      'deploy-bot',
      parseCreateRequest(
        body({
          action: 'dynamodb:DeleteTable',
          resource: 'arn:aws:dynamodb:eu-west-1:123456789012:table/orders',
          audience: 'aws:prod',
        }),
      ),
    );
    expect(created.status).toBe('pending');
  });

  it('step-up: caps the requested TTL at the policy maximum, and keeps a shorter one', async () => {
    const long = await createRequest(
      deps(stepUp).deps,
      'a',
      parseCreateRequest(body({ requested_ttl_seconds: 3600 })),
    );
    expect((await store.get(long.auth_req_id))?.requestedTtlSeconds).toBe(120);
    const short = await createRequest(
      deps(stepUp).deps,
      'a',
      parseCreateRequest(body({ requested_ttl_seconds: 30 })),
    );
    expect((await store.get(short.auth_req_id))?.requestedTtlSeconds).toBe(30);
  });

  it('step-up: closes the request as EXPIRED and answers temporarily_unavailable if the workflow cannot start', async () => {
    const { deps: d } = deps(stepUp, new StartRecordingWorkflow(new Error('throttled')));
    const created: string[] = [];
    const recordingStore: RequestStore = {
      create: async (request) => (created.push(request.id), store.create(request)),
      get: (id) => store.get(id),
      save: (current, next) => store.save(current, next),
      consumeToken: (...args) => store.consumeToken(...args),
      recordPoll: (...args) => store.recordPoll(...args),
      listByAgent: (agent) => store.listByAgent(agent),
      listOpenByAgent: (...args) => store.listOpenByAgent(...args),
      listUnfinishedWorkflows: (cursor) => store.listUnfinishedWorkflows(cursor),
      listUnfinished: () => store.listUnfinished(),
    };
    const error = expectStepUpError(
      await rejectionOf(
        createRequest({ ...d, store: recordingStore }, 'deploy-bot', parseCreateRequest(body())),
      ),
      'temporarily_unavailable',
      503,
    );
    expect(error.message).not.toContain('throttled');
    expect(created).toHaveLength(1);
    const stored = await store.get(created[0]!);
    expect(stored).toMatchObject({ status: 'EXPIRED', decidedAt: NOW.toISOString(), version: 2 });
    expect(stored?.events.at(-1)).toMatchObject({
      type: 'expired',
      detail: { cause: 'workflow_start_failed' },
    });
  });

  it('auto-approve: stores APPROVED with a grant already issued, starts no workflow, answers approved', async () => {
    const decision: PolicyDecision = {
      kind: 'auto_approve',
      policies: ['read-logs'],
      maxTokenTtlSeconds: 900,
    };
    const { deps: d, workflow } = deps(decision);
    const created = await createRequest(d, 'deploy-bot', parseCreateRequest(body({ action: 'logs:Read' })));
    expect(created).toMatchObject({ status: 'approved', expires_in: GRANT_PICKUP_SECONDS });
    expect(workflow.started).toEqual([]);
    const stored = await store.get(created.auth_req_id);
    expect(stored).toMatchObject({
      status: 'APPROVED',
      policyOutcome: 'auto_approve',
      decidedAt: NOW.toISOString(),
      requestedTtlSeconds: 900,
      votes: [],
      requirements: { approverGroups: [], quorum: 0, maxTokenTtlSeconds: 900, policies: ['read-logs'] },
    });
    expect(stored?.grant).toMatchObject({
      ttlSeconds: 900,
      issuedAt: NOW.toISOString(),
      authorizationDetails: [
        {
          type: 'stepup_action',
          actions: ['logs:Read'],
          identifier: stored?.resource,
          locations: ['db-admin-api'],
        },
      ],
    });
    expect(stored?.events.map((e) => e.type)).toEqual(['requested', 'auto_approved', 'grant_issued']);
    expect(stored?.events[1]).toMatchObject({ actor: 'policy', detail: { policy: 'read-logs' } });
  });

  it('auto-approve: a requested TTL below the cap is kept', async () => {
    const decision: PolicyDecision = {
      kind: 'auto_approve',
      policies: ['read-logs'],
      maxTokenTtlSeconds: 900,
    };
    const created = await createRequest(
      deps(decision).deps,
      'a',
      parseCreateRequest(body({ requested_ttl_seconds: 60 })),
    );
    expect((await store.get(created.auth_req_id))?.grant?.ttlSeconds).toBe(60);
  });

  it('deny: stores DENIED (audited), starts nothing, and throws access_denied with the id and policies', async () => {
    const decision: PolicyDecision = {
      kind: 'deny',
      policies: ['no-audit-tampering'],
      reason: 'forbidden by policy "no-audit-tampering"',
    };
    const { deps: d, workflow } = deps(decision);
    const error = expectStepUpError(
      await rejectionOf(createRequest(d, 'deploy-bot', parseCreateRequest(body()))),
      'access_denied',
      403,
      'no-audit-tampering',
    );
    expect(workflow.started).toEqual([]);
    const id = error.details.auth_req_id as string;
    expect(errorBody(error)).toEqual({
      auth_req_id: id,
      policies: ['no-audit-tampering'],
      error: 'access_denied',
      error_description: 'forbidden by policy "no-audit-tampering"',
    });
    const stored = await store.get(id);
    expect(stored).toMatchObject({
      status: 'DENIED',
      policyOutcome: 'deny',
      decidedAt: NOW.toISOString(),
      denialReason: 'forbidden by policy "no-audit-tampering"',
      requirements: { approverGroups: [], quorum: 0, policies: ['no-audit-tampering'] },
    });
    expect(stored?.grant).toBeUndefined();
    expect(stored?.events.map((e) => [e.type, e.actor])).toEqual([
      ['requested', 'agent:deploy-bot'],
      ['denied', 'policy'],
    ]);
  });

  it('deny with no policy: access_denied with an empty policy list', async () => {
    const decision: PolicyDecision = { kind: 'deny', policies: [], reason: 'no policy permits this action' };
    const error = expectStepUpError(
      await rejectionOf(createRequest(deps(decision).deps, 'a', parseCreateRequest(body()))),
      'access_denied',
      403,
    );
    expect(error.details.policies).toEqual([]);
  });
});
