import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { AwsError } from './aws-error';
import type { PolicyDocument } from './iam';
import type { AccountServices, RunningService } from './json-service';
import type { RoleCredentials } from './principals';
import { verifySigV4, type SignedRequest } from './sigv4';

/** A role outside the stack that sessions may be asked for, with the trust policy it carries. */
export interface TargetRole {
  readonly roleArn: string;
  readonly trustPolicy: PolicyDocument;
  /** @default 3600 */
  readonly maxSessionDuration?: number;
}

/** One session STS issued: everything CloudTrail would record of the `AssumeRole` call. */
export interface IssuedSession {
  readonly caller: string;
  readonly roleArn: string;
  readonly roleSessionName: string;
  readonly sourceIdentity?: string;
  readonly policy?: string;
  readonly durationSeconds: number;
  readonly tags: Readonly<Record<string, string>>;
  readonly accessKeyId: string;
}

/** The running STS stand-in. */
export interface RunningSts extends RunningService {
  /** Sessions issued so far, in order. */
  readonly sessions: readonly IssuedSession[];
}

const NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';
const STS_NAME = /^[\w+=,.@-]{2,64}$/;
const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+@-]{1,128}$/u;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+@-]{0,256}$/u;
/** STS's limit on an inline session policy, in characters (before its own packing). */
const MAX_POLICY_CHARS = 2048;

const xmlEscape = (value: string) => value.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

const validation = (message: string) => new AwsError('ValidationError', message);

/** `Tags.member.N.Key` / `Tags.member.N.Value` of a Query request, as a map. */
function tagsOf(params: URLSearchParams): Record<string, string> {
  const tags: Record<string, string> = {};
  for (let n = 1; params.has(`Tags.member.${n}.Key`); n++) {
    const key = params.get(`Tags.member.${n}.Key`)!;
    const value = params.get(`Tags.member.${n}.Value`) ?? '';
    if (!TAG_KEY.test(key) || key.toLowerCase().startsWith('aws:') || !TAG_VALUE.test(value)) {
      throw validation(
        `1 validation error detected: Value at 'tags.${n}.member' failed to satisfy constraint`,
      );
    }
    if (Object.hasOwn(tags, key)) throw new AwsError('InvalidParameterValue', 'Duplicate tag keys found.');
    tags[key] = value;
  }
  if (Object.keys(tags).length > 50) throw validation('Member must have length less than or equal to 50');
  return tags;
}

/** Does the role's trust policy let `caller` do `action`? (Evaluated alone, as STS does for roles.) */
async function trusted(
  role: TargetRole,
  caller: RoleCredentials,
  action: string,
  account: string,
  context: Record<string, string>,
) {
  const result = await runSimulation(
    {
      request: {
        principal: caller.assumedRoleArn,
        action,
        resource: { resource: role.roleArn, accountId: account },
        contextVariables: context,
      },
      identityPolicies: [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: role.trustPolicy,
    },
    {},
  );
  return result.resultType !== 'error' && result.overallResult === 'Allowed';
}

/**
 * STS `AssumeRole` over the Query protocol (form-encoded `Action=AssumeRole&Version=2011-06-15…`,
 * XML answers and errors), SigV4-checked with signing name `sts`. As STS does, it requires the
 * caller's identity policies to allow `sts:AssumeRole` on the role — plus `sts:SetSourceIdentity`
 * when a `SourceIdentity` is set and `sts:TagSession` when tags are — and the role's trust policy to
 * allow each of them too; it validates names, tags, the policy size and the duration.
 */
export async function startSts(services: AccountServices, roles: readonly TargetRole[]): Promise<RunningSts> {
  const sessions: IssuedSession[] = [];
  const account = (arn: string) => arn.split(':')[4] ?? '';

  const answer = (response: ServerResponse, status: number, xml: string) => {
    response.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': randomUUID() });
    response.end(`<?xml version="1.0" encoding="UTF-8"?>\n${xml}`);
  };

  const assumeRole = async (params: URLSearchParams, caller: RoleCredentials): Promise<string> => {
    const roleArn = params.get('RoleArn') ?? '';
    const sessionName = params.get('RoleSessionName') ?? '';
    const sourceIdentity = params.get('SourceIdentity') ?? undefined;
    const policy = params.get('Policy') ?? undefined;
    const durationSeconds = Number(params.get('DurationSeconds') ?? 3600);
    if (!STS_NAME.test(sessionName))
      throw validation("Value at 'roleSessionName' failed to satisfy constraint");
    if (sourceIdentity !== undefined && (!STS_NAME.test(sourceIdentity) || /^aws:/i.test(sourceIdentity))) {
      throw validation("Value at 'sourceIdentity' failed to satisfy constraint");
    }
    if (policy !== undefined && policy.length > MAX_POLICY_CHARS) {
      throw new AwsError('PackedPolicyTooLarge', 'Inline session policy is too large');
    }
    if (policy !== undefined) JSON.parse(policy); // MalformedPolicyDocument below when it is not JSON
    const tags = tagsOf(params);
    if (!Number.isInteger(durationSeconds) || durationSeconds < 900) {
      throw validation("Value at 'durationSeconds' failed to satisfy constraint: Member must be >= 900");
    }

    const role = roles.find((candidate) => candidate.roleArn === roleArn);
    // The keys a trust policy can condition on (a README trust policy requires sts:SourceIdentity).
    const context: Record<string, string> = {
      ...(sourceIdentity !== undefined ? { 'sts:SourceIdentity': sourceIdentity } : {}),
      ...Object.fromEntries(Object.entries(tags).map(([key, value]) => [`aws:RequestTag/${key}`, value])),
    };
    const actions = [
      'sts:AssumeRole',
      ...(sourceIdentity !== undefined ? ['sts:SetSourceIdentity'] : []),
      ...(Object.keys(tags).length > 0 ? ['sts:TagSession'] : []),
    ];
    for (const action of actions) {
      const identity = await services.iam.authorize({ principal: caller, action, resource: roleArn });
      const allowed =
        identity.allowed &&
        role !== undefined &&
        (await trusted(role, caller, action, account(roleArn), context));
      services.callLog.record({
        principal: caller.assumedRoleArn,
        roleLogicalId: caller.roleLogicalId,
        service: 'sts',
        action,
        resource: roleArn,
        allowed,
        ...(allowed ? {} : { errorType: 'AccessDenied' }),
      });
      if (!allowed) {
        throw new AwsError(
          'AccessDenied',
          `User: ${caller.assumedRoleArn} is not authorized to perform: ${action} on resource: ${roleArn}`,
          403,
        );
      }
    }

    if (durationSeconds > (role?.maxSessionDuration ?? 3600)) {
      throw validation('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
    }

    const accessKeyId = `ASIA${randomBytes(10).toString('hex').toUpperCase().slice(0, 16)}`;
    sessions.push({
      caller: caller.assumedRoleArn,
      roleArn,
      roleSessionName: sessionName,
      ...(sourceIdentity !== undefined ? { sourceIdentity } : {}),
      ...(policy !== undefined ? { policy } : {}),
      durationSeconds,
      tags,
      accessKeyId,
    });
    const roleName = roleArn.split(':role/')[1]?.split('/').pop() ?? '';
    const expiration = new Date(Date.now() + durationSeconds * 1000).toISOString();
    return (
      `<AssumeRoleResponse xmlns="${NAMESPACE}"><AssumeRoleResult>` +
      (sourceIdentity !== undefined ? `<SourceIdentity>${xmlEscape(sourceIdentity)}</SourceIdentity>` : '') +
      `<AssumedRoleUser><AssumedRoleId>AROA${randomBytes(8).toString('hex').toUpperCase()}:${xmlEscape(sessionName)}</AssumedRoleId>` +
      `<Arn>${xmlEscape(`arn:aws:sts::${account(roleArn)}:assumed-role/${roleName}/${sessionName}`)}</Arn></AssumedRoleUser>` +
      `<Credentials><AccessKeyId>${accessKeyId}</AccessKeyId>` +
      `<SecretAccessKey>${randomBytes(30).toString('base64')}</SecretAccessKey>` +
      `<SessionToken>${randomBytes(96).toString('base64')}</SessionToken>` +
      `<Expiration>${expiration}</Expiration></Credentials>` +
      `<PackedPolicySize>${policy ? Math.min(100, Math.ceil(policy.length / 20)) : 0}</PackedPolicySize>` +
      `</AssumeRoleResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></AssumeRoleResponse>`
    );
  };

  const serve = async (incoming: IncomingMessage, response: ServerResponse): Promise<void> => {
    const request: SignedRequest = {
      method: incoming.method ?? 'GET',
      url: incoming.url ?? '/',
      headers: incoming.headers,
      body: await readBody(incoming),
    };
    try {
      const caller = verifySigV4(request, { service: 'sts', region: services.region }, services.principals);
      const params = new URLSearchParams(request.body.toString('utf8'));
      if (request.method !== 'POST' || params.get('Version') !== '2011-06-15') {
        throw new AwsError('InvalidAction', 'Could not find operation for this request');
      }
      if (params.get('Action') !== 'AssumeRole') {
        throw new AwsError('InvalidAction', 'This stand-in answers AssumeRole only');
      }
      try {
        answer(response, 200, await assumeRole(params, caller));
      } catch (error) {
        if (error instanceof SyntaxError)
          throw new AwsError('MalformedPolicyDocument', 'Syntax errors in policy.');
        throw error;
      }
    } catch (error) {
      if (!(error instanceof AwsError)) throw error;
      answer(
        response,
        error.status,
        `<ErrorResponse xmlns="${NAMESPACE}"><Error><Type>Sender</Type><Code>${error.type}</Code>` +
          `<Message>${xmlEscape(error.message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
      );
    }
  };

  const server = createServer((incoming, response) => {
    serve(incoming, response).catch((error: unknown) => {
      console.error('sts stand-in failed:', error);
      if (!response.headersSent)
        answer(response, 500, '<ErrorResponse><Error><Code>InternalFailure</Code></Error></ErrorResponse>');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sessions,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
