import { createHash } from 'node:crypto';
import { StepUpError } from '../errors';

/**
 * An audience whose actions are AWS API calls. AWS cannot introspect a stepup token, so the agent
 * exchanges it for credentials of `roleArn`, narrowed by a session policy to the one approved call.
 */
export interface AwsTarget {
  /** The role the exchange assumes; its trust policy trusts only the exchange function's role. */
  readonly roleArn: string;
  /**
   * IAM actions a request for this audience may name, as exact names or prefixes ending in `*`
   * (`dynamodb:DeleteTable`, `s3:Delete*`), compared without case as IAM does.
   * @default any action of any service
   */
  readonly actions?: readonly string[];
}

/** One approved AWS API call: an exact IAM action on an exact resource ARN. */
export interface AwsAction {
  /** `dynamodb:DeleteTable`. */
  readonly action: string;
  /** `arn:aws:dynamodb:eu-west-1:111122223333:table/orders`. */
  readonly resource: string;
  /** The ARN's region, empty for global resources (`arn:aws:s3:::bucket`). */
  readonly region: string;
}

/** `service:Action`, without wildcards (IAM service prefixes are lower case, action names letters and digits). */
const IAM_ACTION = /^([a-z0-9-]{2,64}):[A-Za-z0-9]{1,128}$/;
/** The AWS partitions a role can live in. */
const PARTITION = '(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f|aws-eusc)';
/**
 * An ARN whose resource part has no IAM wildcard (`*`, `?`) and no policy variable (`${…}`), so a
 * policy naming it matches exactly that resource and nothing else.
 */
const RESOURCE_ARN = new RegExp(
  `^arn:${PARTITION}:([a-z0-9-]{2,64}):([a-z0-9-]{0,32}):(\\d{12})?:([A-Za-z0-9_.:/+=,@!'()~%-]{1,1024})$`,
);
const ROLE_ARN = new RegExp(`^arn:${PARTITION}:iam::(\\d{12}):role/[\\w+=,.@/-]{1,512}$`);

/** The STS minimum for `DurationSeconds`: credentials cannot be asked for a shorter life. */
export const STS_MIN_DURATION_SECONDS = 900;

function refuse(audience: string, expected: string): never {
  throw new StepUpError('invalid_request', `${audience} is an AWS target: ${expected}`);
}

/** The partition and account of a role ARN. @throws Error when `roleArn` is not an IAM role ARN. */
export function roleAccount(roleArn: string): { readonly partition: string; readonly account: string } {
  const [, partition, account] = ROLE_ARN.exec(roleArn) ?? [];
  if (!partition || !account)
    throw new Error('not an IAM role ARN (arn:<partition>:iam::<account>:role/<name>)');
  return { partition, account };
}

function permitted(target: AwsTarget, action: string): boolean {
  if (!target.actions) return true;
  const name = action.toLowerCase();
  return target.actions.some((allowed) => {
    const pattern = allowed.toLowerCase();
    return pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : name === pattern;
  });
}

/**
 * Reads a request for an AWS target as the exact IAM call it asks to make. Refused unless the action
 * is one IAM action of the ARN's service, the target allows it, and the resource is one ARN in the
 * role's partition and account (or a global ARN without an account, as S3's), with nothing a policy
 * would read as a pattern. Error descriptions say what is expected and never repeat the input.
 * @param audience the request's audience, named in the error (it is a configured key, not agent text)
 * @throws StepUpError `invalid_request`
 * @example
 * awsActionOn('aws:prod-data', target, 'dynamodb:DeleteTable', 'arn:aws:dynamodb:eu-west-1:111122223333:table/orders');
 * // → { action: 'dynamodb:DeleteTable', resource: 'arn:aws:…:table/orders', region: 'eu-west-1' }
 */
export function awsActionOn(
  audience: string,
  target: AwsTarget,
  action: string,
  resource: string,
): AwsAction {
  const service = IAM_ACTION.exec(action)?.[1];
  if (!service) refuse(audience, 'action must be one IAM action (service:Action, no wildcards)');
  if (!permitted(target, action)) refuse(audience, 'this action is not among the actions it allows');
  const arn = RESOURCE_ARN.exec(resource);
  if (!arn) {
    refuse(audience, 'resource must be one ARN, without wildcards (* ?), policy variables ($) or spaces');
  }
  const [, partition, arnService, region = '', account] = arn;
  const role = roleAccount(target.roleArn);
  if (arnService !== service) refuse(audience, "the resource ARN must be of the action's service");
  if (partition !== role.partition)
    refuse(audience, "the resource ARN must be in the target role's partition");
  if (account !== undefined && account !== role.account) {
    refuse(audience, "the resource ARN must be in the target role's account");
  }
  return { action, resource, region };
}

/**
 * The inline session policy for one approved call: that action on that ARN, and only until
 * `notAfter`. STS will not issue credentials for less than {@link STS_MIN_DURATION_SECONDS}; the
 * `aws:CurrentTime` condition makes them useless for the call once the approval's own lifetime ends.
 */
export function sessionPolicy(approved: AwsAction, notAfter: Date): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'StepUpApprovedCall',
        Effect: 'Allow',
        Action: approved.action,
        Resource: approved.resource,
        Condition: { DateLessThan: { 'aws:CurrentTime': notAfter.toISOString() } },
      },
    ],
  });
}

/** Characters STS accepts in `SourceIdentity` and `RoleSessionName`. */
const STS_NAME_CHAR = /[^\w+=,.@-]/g;

/**
 * The agent as STS `SourceIdentity` (2–64 characters of `[\w+=,.@-]`; CloudTrail records it on every
 * call made with the credentials, and it survives role chaining). A workload `sub` such as
 * `repo:org/app:ref:refs/heads/main` does not fit, so it becomes a readable prefix plus a hash of the
 * whole `sub`: distinct agents never share one. The full `sub` rides in the session tags.
 * @example sourceIdentityOf('repo:org/app:ref:refs/heads/main') // 'repo-org-app-ref-refs-heads-main.3f2a…'
 */
export function sourceIdentityOf(agent: string): string {
  const hash = createHash('sha256').update(agent).digest('hex').slice(0, 16);
  const readable = agent.replace(STS_NAME_CHAR, '-').slice(0, 64 - hash.length - 1);
  return `${readable}.${hash}`;
}

/** Characters STS accepts in session tag values (at most 256). */
const TAG_VALUE_CHAR = /[^\p{L}\p{Z}\p{N}_.:/=+@-]/gu;

/** A session tag value: what STS accepts of `value`, bounded. */
export function tagValue(value: string): string {
  return value.replace(TAG_VALUE_CHAR, '-').slice(0, 256);
}
