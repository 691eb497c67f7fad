import * as z from 'zod/mini';
import { StepUpError } from '../../domain/errors';
import {
  EVALUATIONS_SEMANTICS,
  type AccessQuestion,
  type EvaluationsSemantic,
} from '../../domain/policy/evaluate-access';
import { WORKLOAD_SUB_RULE } from '../../domain/agents/workload-identity';
import { createRequestBody } from './create-request';
import {
  body,
  constant,
  custom,
  ignored,
  parseWith,
  requireObject,
  text,
  type BodySchema,
  type Field,
  type Fields,
  type JsonSchema,
} from './schema';

/*
 * OpenID AuthZEN Authorization API 1.0 request bodies (§6 Access Evaluation, §7 Access Evaluations),
 * mapped onto stepup's request: the subject is the agent, the action and resource are those of
 * `POST /v1/requests`, the resource's audience is in `resource.properties`, and `context` carries
 * what `POST /v1/requests` takes beside them.
 */

const create = createRequestBody.fields;

/** A nested object parsed by `schema`, its errors prefixed with where it is (`subject.id …`). */
function nested<F extends Fields>(schema: BodySchema<F>): Field<ReturnType<BodySchema<F>['parse']>> {
  return custom(
    (raw, name) => {
      requireObject(raw, name);
      try {
        return schema.parse(raw);
      } catch (error) {
        if (!(error instanceof StepUpError)) throw error;
        throw new StepUpError(error.code, `${name}: ${error.message}`);
      }
    },
    (describe) => describe(schema.schema),
  );
}

const properties = ignored({
  description: 'AuthZEN properties: accepted, not used (stepup knows its agents by their workload sub).',
});

const subject = nested(
  body(
    {
      type: constant(
        'agent',
        { code: 'invalid_request', message: 'subject.type must be "agent"' },
        { description: 'Always "agent": stepup decides for agents.' },
      ),
      id: text({
        ...WORKLOAD_SUB_RULE,
        description:
          'The agent’s workload sub. It must be the caller’s own, unless the caller is a gateway ' +
          '(config agents.gateways), which may ask about any admitted agent.',
        examples: ['deploy-bot'],
      }),
      properties,
    },
    {
      name: 'AuthZenSubject',
      description: 'AuthZEN subject: the agent that would act.',
      examples: [{ type: 'agent', id: 'deploy-bot' }],
    },
  ),
);

const action = nested(
  body(
    { name: create.action, properties },
    {
      name: 'AuthZenAction',
      description: 'AuthZEN action: the action as POST /v1/requests names it.',
      examples: [{ name: 'db:DropTable' }],
    },
  ),
);

const resource = nested(
  body(
    {
      type: text({
        max: 64,
        pattern: /^[A-Za-z][A-Za-z0-9_.:-]*$/,
        hint: 'a type name, e.g. resource',
        description: 'Any type name: stepup’s policies see every resource as a Resource.',
        examples: ['resource'],
      }),
      id: create.resource,
      properties: nested(
        body(
          { audience: create.audience },
          {
            name: 'AuthZenResourceProperties',
            description: 'The audience: the resource server that would accept the token.',
            examples: [{ audience: 'orders-db' }],
          },
        ),
      ),
    },
    {
      name: 'AuthZenResource',
      description: 'AuthZEN resource: the resource and audience as POST /v1/requests names them.',
      examples: [{ type: 'resource', id: 'prod/orders', properties: { audience: 'orders-db' } }],
    },
  ),
);

const context = nested(
  body(
    {
      on_behalf_of: create.on_behalf_of,
      subject_token: create.subject_token,
      requested_ttl_seconds: create.requested_ttl_seconds,
      signals: create.context,
    },
    {
      name: 'AuthZenContext',
      description:
        'What POST /v1/requests takes besides action, resource and audience: on_behalf_of (proven ' +
        'with subject_token), requested_ttl_seconds, and the risk signals (POST /v1/requests’ context).',
      examples: [{ on_behalf_of: 'carol@example.com', signals: { ticket: 'CHG-7' } }],
    },
  ),
);

const example = {
  subject: { type: 'agent', id: 'deploy-bot' },
  action: { name: 'db:DropTable' },
  resource: { type: 'resource', id: 'prod/orders', properties: { audience: 'orders-db' } },
};

/** The body of `POST /access/v1/evaluation`. */
export const accessEvaluationBody = body(
  { subject, action, resource, context: z.optional(context) },
  {
    name: 'AccessEvaluationRequest',
    description: 'OpenID AuthZEN Access Evaluation request (§6.1): would stepup let this agent do this?',
    examples: [example, { ...example, context: { signals: { ticket: 'CHG-7' } } }],
  },
);

type Parts = {
  readonly subject?: z.output<typeof subject>;
  readonly action?: z.output<typeof action>;
  readonly resource?: z.output<typeof resource>;
  readonly context?: z.output<typeof context>;
};

const item = nested(
  body(
    {
      subject: z.optional(subject),
      action: z.optional(action),
      resource: z.optional(resource),
      context: z.optional(context),
    },
    {
      name: 'AccessEvaluationItem',
      description: 'One evaluation of a batch; what it leaves out comes from the request’s top level.',
      examples: [{ action: { name: 'db:DropTable' } }],
    },
  ),
);

/** Most evaluations one batch may hold. */
export const MAX_EVALUATIONS = 64;

const evaluations = custom(
  (raw, name): Parts[] => {
    if (!Array.isArray(raw) || raw.length > MAX_EVALUATIONS) {
      throw new StepUpError(
        'invalid_request',
        `${name} must be an array of at most ${MAX_EVALUATIONS} objects`,
      );
    }
    return raw.map((entry, i) => parseWith(item, entry, `${name}[${i}]`));
  },
  (describe) => ({ type: 'array', maxItems: MAX_EVALUATIONS, items: describe(item) }),
);

const options = nested(
  body(
    {
      evaluations_semantic: z.optional(
        custom(
          (raw, name): EvaluationsSemantic => {
            if (!(EVALUATIONS_SEMANTICS as readonly unknown[]).includes(raw)) {
              throw new StepUpError(
                'invalid_request',
                `${name} must be one of ${EVALUATIONS_SEMANTICS.join(', ')}`,
              );
            }
            return raw as EvaluationsSemantic;
          },
          {
            enum: [...EVALUATIONS_SEMANTICS],
            description: 'execute_all (default), or stop after the first deny or the first permit.',
          },
        ),
      ),
    },
    {
      name: 'AccessEvaluationsOptions',
      description: 'AuthZEN batch options.',
      examples: [{ evaluations_semantic: 'deny_on_first_deny' }],
    },
  ),
);

/** The body of `POST /access/v1/evaluations`. */
export const accessEvaluationsBody = body(
  {
    subject: z.optional(subject),
    action: z.optional(action),
    resource: z.optional(resource),
    context: z.optional(context),
    evaluations: z.optional(evaluations),
    options: z.optional(options),
  },
  {
    name: 'AccessEvaluationsRequest',
    description:
      'OpenID AuthZEN Access Evaluations request (§7.1): several evaluations, each taking what it ' +
      'leaves out from the top level. Without evaluations it is one evaluation of the top level, ' +
      'answered as POST /access/v1/evaluation answers.',
    examples: [
      {
        subject: example.subject,
        resource: example.resource,
        evaluations: [{ action: { name: 'db:DropTable' } }, { action: { name: 'logs:Read' } }],
        options: { evaluations_semantic: 'execute_all' },
      },
    ],
  },
);

function question(parts: Parts, where: string): AccessQuestion {
  const { subject: who, action: what, resource: on } = parts;
  if (!who || !what || !on) {
    throw new StepUpError(
      'invalid_request',
      `${where} needs a subject, an action and a resource (its own or the request’s)`,
    );
  }
  return {
    subject: who.id,
    action: what.name,
    resource: on.id,
    audience: on.properties.audience,
    onBehalfOf: parts.context?.on_behalf_of,
    subjectToken: parts.context?.subject_token,
    requestedTtlSeconds: parts.context?.requested_ttl_seconds,
    signals: parts.context?.signals ?? {},
  };
}

/**
 * Validates a `POST /access/v1/evaluation` body.
 * @throws StepUpError `invalid_request` naming the field
 */
export function parseAccessEvaluation(raw: unknown): AccessQuestion {
  return question(accessEvaluationBody.parse(raw), 'the request');
}

/** A parsed `POST /access/v1/evaluations` body: a batch, or (no evaluations) one evaluation. */
export type AccessEvaluations =
  | { readonly batch: true; readonly questions: AccessQuestion[]; readonly semantic: EvaluationsSemantic }
  | { readonly batch: false; readonly question: AccessQuestion };

/**
 * Validates a `POST /access/v1/evaluations` body, each evaluation completed from the top level.
 * @throws StepUpError `invalid_request` naming the field
 */
export function parseAccessEvaluations(raw: unknown): AccessEvaluations {
  const parsed = accessEvaluationsBody.parse(raw);
  const top: Parts = parsed;
  if (!parsed.evaluations || parsed.evaluations.length === 0) {
    return { batch: false, question: question(top, 'the request') };
  }
  return {
    batch: true,
    semantic: parsed.options?.evaluations_semantic ?? 'execute_all',
    questions: parsed.evaluations.map((entry, i) =>
      question(
        {
          subject: entry.subject ?? top.subject,
          action: entry.action ?? top.action,
          resource: entry.resource ?? top.resource,
          context: entry.context ?? top.context,
        },
        `evaluations[${i}]`,
      ),
    ),
  };
}

const answerContext: JsonSchema = {
  type: 'object',
  description:
    'What stepup would decide. policy_outcome auto_approve, step_up or deny; policies (the ' +
    'determining ones); for step_up approver_groups, quorum, approval_timeout_seconds, escalate_to ' +
    'and max_token_ttl_seconds; for deny reason; request_endpoint (POST the action there to ask for ' +
    'it for real) unless denied. A question the policies cannot take is false with error and ' +
    'error_description instead.',
  properties: {
    policy_outcome: { enum: ['auto_approve', 'step_up', 'deny'] },
    policies: { type: 'array', items: { type: 'string' } },
    approver_groups: { type: 'array', items: { type: 'array', items: { type: 'string' } } },
    quorum: { type: 'integer', minimum: 1 },
    approval_timeout_seconds: { type: 'integer', minimum: 1 },
    escalate_to: { type: ['string', 'null'] },
    max_token_ttl_seconds: { type: 'integer', minimum: 1 },
    reason: { type: 'string' },
    request_endpoint: { type: 'string', format: 'uri' },
    error: { type: 'string' },
    error_description: { type: 'string' },
  },
};

/** An AuthZEN Access Evaluation response (§6.2), as the OpenAPI document describes it. */
export const accessEvaluationResponse: JsonSchema = {
  type: 'object',
  required: ['decision'],
  properties: {
    decision: { type: 'boolean', description: 'True only when the agent may act alone (auto-approve).' },
    context: answerContext,
  },
};

/** An AuthZEN Access Evaluations response (§7.2). */
export const accessEvaluationsResponse: JsonSchema = {
  type: 'object',
  description: 'The answers in the order of the evaluations; fewer when a semantic stopped early.',
  required: ['evaluations'],
  properties: { evaluations: { type: 'array', items: accessEvaluationResponse } },
};
