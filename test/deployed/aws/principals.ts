import { randomBytes } from 'node:crypto';
import type { FakeAccount } from './account';

/** Temporary credentials of an assumed role, as a Lambda function receives them in its environment. */
export interface RoleCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  /** `arn:aws:iam::<account>:role/<name>`: what identity policies attach to. */
  readonly roleArn: string;
  /** `arn:aws:sts::<account>:assumed-role/<name>/<session>`: the principal AWS names in denials. */
  readonly assumedRoleArn: string;
  /** The template's logical id of the role. */
  readonly roleLogicalId: string;
}

const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function accessKeyId(): string {
  // Temporary (STS) keys start with ASIA, followed by 16 base32 characters.
  return `ASIA${Array.from(randomBytes(16), (byte) => KEY_ALPHABET[byte % KEY_ALPHABET.length]).join('')}`;
}

/**
 * Hands out per-role credentials (like STS for a Lambda execution role) and recognizes them on
 * incoming requests. Keys are random per run: nothing outside the suite can know them.
 */
export class Principals {
  private readonly byAccessKey = new Map<string, RoleCredentials>();
  private readonly byRole = new Map<string, RoleCredentials>();

  constructor(private readonly account: FakeAccount) {}

  /**
   * Credentials for the role with this logical id; the same ones on every call for a role.
   * @param sessionName the role session name; Lambda uses the function name.
   * @default sessionName the role's name
   */
  principalFor(roleLogicalId: string, sessionName?: string): RoleCredentials {
    const key = `${roleLogicalId}/${sessionName ?? ''}`;
    const known = this.byRole.get(key);
    if (known) return known;
    const type = this.account.resource(roleLogicalId).Type;
    if (type !== 'AWS::IAM::Role') throw new Error(`${roleLogicalId} is a ${type}, not an IAM role`);
    const roleName = this.account.ref(roleLogicalId);
    const { partition, account } = this.account.env;
    const credentials: RoleCredentials = {
      accessKeyId: accessKeyId(),
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: randomBytes(96).toString('base64'),
      roleArn: this.account.getAtt(roleLogicalId, 'Arn'),
      assumedRoleArn: `arn:${partition}:sts::${account}:assumed-role/${roleName}/${sessionName ?? roleName}`,
      roleLogicalId,
    };
    this.byRole.set(key, credentials);
    this.byAccessKey.set(credentials.accessKeyId, credentials);
    return credentials;
  }

  /** Credentials for a Lambda function's execution role, with the function name as session name (as Lambda does). */
  forFunction(functionLogicalId: string): RoleCredentials {
    const fn = this.account.functions().find((candidate) => candidate.logicalId === functionLogicalId);
    if (!fn) throw new Error(`the template has no Lambda function ${functionLogicalId}`);
    return this.principalFor(fn.roleLogicalId, fn.functionName);
  }

  /** The credentials an access key id belongs to, if this account issued it. */
  byAccessKeyId(accessKeyId: string): RoleCredentials | undefined {
    return this.byAccessKey.get(accessKeyId);
  }
}
