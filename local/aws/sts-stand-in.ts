import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AwsError } from './aws-error';
import { receivedRequest, verifySigV4, type CredentialsByKey, type SigningCredentials } from './sigv4';

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

/** A caller the stand-in recognises: its signing secret, and the principal ARN STS names in denials. */
export interface StsCaller extends SigningCredentials {
  readonly assumedRoleArn: string;
}

/** What one `AssumeRole` needs permission for: each action on the role, with the request's condition keys. */
export interface StsAuthorization<C extends StsCaller> {
  readonly caller: C;
  /** `sts:AssumeRole`, `sts:SetSourceIdentity` or `sts:TagSession`. */
  readonly action: string;
  readonly roleArn: string;
  /** `sts:SourceIdentity`, `aws:RequestTag/<key>`: what a trust policy can condition on. */
  readonly context: Readonly<Record<string, string>>;
}

/** Options for {@link startStsStandIn}. */
export interface StsStandInOptions<C extends StsCaller> {
  /** The region requests must be signed for. */
  readonly region: string;
  /** Who holds which access key. */
  readonly callers: CredentialsByKey<C>;
  /** IAM's decision (identity policies and the role's trust policy) on one action. */
  readonly authorize: (request: StsAuthorization<C>) => Promise<boolean>;
  /** The longest session a role allows. @default 3600 (IAM's default MaxSessionDuration) */
  readonly maxSessionDuration?: (roleArn: string) => number;
}

/** The running STS stand-in. */
export interface RunningStsStandIn {
  /** `http://127.0.0.1:<port>`, for `AWS_ENDPOINT_URL_STS`. */
  readonly endpoint: string;
  /** Sessions issued so far, in order (no secrets). */
  readonly sessions: readonly IssuedSession[];
  close(): Promise<void>;
}

const NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';
const STS_NAME = /^[\w+=,.@-]{2,64}$/;
const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+@-]{1,128}$/u;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+@-]{0,256}$/u;
/** STS's limit on an inline session policy, in characters (before its own packing). */
const MAX_POLICY_CHARS = 2048;

const xml = (value: string) => value.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
const validation = (message: string) => new AwsError('ValidationError', message);

/** `Tags.member.N.Key` / `Tags.member.N.Value` of a Query request, validated as STS does. */
function tagsOf(params: URLSearchParams): Record<string, string> {
  const tags: Record<string, string> = {};
  for (let n = 1; params.has(`Tags.member.${n}.Key`); n++) {
    const key = params.get(`Tags.member.${n}.Key`) ?? '';
    const value = params.get(`Tags.member.${n}.Value`) ?? '';
    if (!TAG_KEY.test(key) || key.toLowerCase().startsWith('aws:') || !TAG_VALUE.test(value)) {
      throw validation(`Value at 'tags.${n}.member' failed to satisfy constraint`);
    }
    if (Object.hasOwn(tags, key)) throw new AwsError('InvalidParameterValue', 'Duplicate tag keys found.');
    tags[key] = value;
  }
  if (Object.keys(tags).length > 50) throw validation('Member must have length less than or equal to 50');
  return tags;
}

/** `Policy`, if any: at most 2,048 characters of JSON. */
function policyOf(params: URLSearchParams): string | undefined {
  const policy = params.get('Policy') ?? undefined;
  if (policy === undefined) return undefined;
  if (policy.length > MAX_POLICY_CHARS)
    throw new AwsError('PackedPolicyTooLarge', 'Inline session policy is too large');
  try {
    JSON.parse(policy);
  } catch {
    throw new AwsError('MalformedPolicyDocument', 'Syntax errors in policy.');
  }
  return policy;
}

/**
 * STS `AssumeRole` on `127.0.0.1:0` over the Query protocol (form-encoded `Action=AssumeRole&
 * Version=2011-06-15…`, XML answers and errors), SigV4-checked with signing name `sts`. As STS
 * does, it validates names, tags, the policy and the duration, then asks `authorize` for
 * `sts:AssumeRole` — plus `sts:SetSourceIdentity` with a `SourceIdentity` and `sts:TagSession` with
 * tags — and answers `AccessDenied` (403) for the first refused one. The local runtime and the
 * deployed-bundle suite both run it; they differ in who may call and how IAM decides.
 */
export async function startStsStandIn<C extends StsCaller>(
  options: StsStandInOptions<C>,
): Promise<RunningStsStandIn> {
  const sessions: IssuedSession[] = [];

  const answer = (response: ServerResponse, status: number, body: string) => {
    response.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': randomUUID() });
    response.end(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`);
  };

  const assumeRole = async (params: URLSearchParams, caller: C): Promise<string> => {
    const roleArn = params.get('RoleArn') ?? '';
    const sessionName = params.get('RoleSessionName') ?? '';
    const sourceIdentity = params.get('SourceIdentity') ?? undefined;
    const durationSeconds = Number(params.get('DurationSeconds') ?? 3600);
    if (!STS_NAME.test(sessionName))
      throw validation("Value at 'roleSessionName' failed to satisfy constraint");
    if (sourceIdentity !== undefined && (!STS_NAME.test(sourceIdentity) || /^aws:/i.test(sourceIdentity))) {
      throw validation("Value at 'sourceIdentity' failed to satisfy constraint");
    }
    const policy = policyOf(params);
    const tags = tagsOf(params);
    if (!Number.isInteger(durationSeconds) || durationSeconds < 900) {
      throw validation("Value at 'durationSeconds' failed to satisfy constraint: Member must be >= 900");
    }

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
      if (!(await options.authorize({ caller, action, roleArn, context }))) {
        throw new AwsError(
          'AccessDenied',
          `User: ${caller.assumedRoleArn} is not authorized to perform: ${action} on resource: ${roleArn}`,
          403,
        );
      }
    }
    if (durationSeconds > (options.maxSessionDuration?.(roleArn) ?? 3600)) {
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
    const [, partition = 'aws', , , account = ''] = roleArn.split(':');
    const roleName = roleArn.split('/').pop() ?? '';
    return (
      `<AssumeRoleResponse xmlns="${NAMESPACE}"><AssumeRoleResult>` +
      (sourceIdentity !== undefined ? `<SourceIdentity>${xml(sourceIdentity)}</SourceIdentity>` : '') +
      `<AssumedRoleUser><AssumedRoleId>AROA${randomBytes(8).toString('hex').toUpperCase()}:${xml(sessionName)}</AssumedRoleId>` +
      `<Arn>${xml(`arn:${partition}:sts::${account}:assumed-role/${roleName}/${sessionName}`)}</Arn></AssumedRoleUser>` +
      `<Credentials><AccessKeyId>${accessKeyId}</AccessKeyId>` +
      `<SecretAccessKey>${randomBytes(30).toString('base64')}</SecretAccessKey>` +
      `<SessionToken>${randomBytes(96).toString('base64')}</SessionToken>` +
      `<Expiration>${new Date(Date.now() + durationSeconds * 1000).toISOString()}</Expiration></Credentials>` +
      `<PackedPolicySize>${policy ? Math.min(100, Math.ceil(policy.length / 20)) : 0}</PackedPolicySize>` +
      `</AssumeRoleResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></AssumeRoleResponse>`
    );
  };

  const serve = async (incoming: IncomingMessage, response: ServerResponse): Promise<void> => {
    const request = await receivedRequest(incoming);
    try {
      const caller = verifySigV4(request, { service: 'sts', region: options.region }, options.callers);
      const params = new URLSearchParams(request.body.toString('utf8'));
      if (request.method !== 'POST' || params.get('Version') !== '2011-06-15') {
        throw new AwsError('InvalidAction', 'Could not find operation for this request');
      }
      if (params.get('Action') !== 'AssumeRole')
        throw new AwsError('InvalidAction', 'Only AssumeRole is served here');
      answer(response, 200, await assumeRole(params, caller));
    } catch (error) {
      if (!(error instanceof AwsError)) throw error;
      answer(
        response,
        error.status,
        `<ErrorResponse xmlns="${NAMESPACE}"><Error><Type>Sender</Type><Code>${error.type}</Code>` +
          `<Message>${xml(error.message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
      );
    }
  };

  const server = createServer((incoming, response) => {
    serve(incoming, response).catch((error: unknown) => {
      // A stand-in bug, not an STS answer: say so instead of inventing a service error.
      console.error('STS stand-in failed:', error);
      if (!response.headersSent) {
        answer(response, 500, `<ErrorResponse><Error><Code>InternalFailure</Code></Error></ErrorResponse>`);
      }
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
