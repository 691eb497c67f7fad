import { randomInt, randomUUID } from 'node:crypto';
import type { FakeAccount } from './account';
import { AwsError } from '../../../local/aws/aws-error';
import { startJsonService, type AccountServices, type RunningService } from './json-service';

/** `GenerateSecretString` of an `AWS::SecretsManager::Secret`, resolved. */
interface GenerateSecretString {
  readonly SecretStringTemplate?: string;
  readonly GenerateStringKey?: string;
  readonly PasswordLength?: number;
  readonly ExcludeCharacters?: string;
  readonly ExcludePunctuation?: boolean;
  readonly ExcludeNumbers?: boolean;
  readonly ExcludeUppercase?: boolean;
  readonly ExcludeLowercase?: boolean;
  readonly IncludeSpace?: boolean;
}

interface SecretVersion {
  readonly versionId: string;
  readonly value: string;
  stages: string[];
  readonly created: number;
}

interface StoredSecret {
  readonly arn: string;
  readonly name: string;
  readonly description?: string;
  readonly created: number;
  readonly versions: SecretVersion[];
}

const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

/** What Secrets Manager generates for `GenerateSecretString` (same character classes and length). */
function generatePassword(options: GenerateSecretString): string {
  const classes = [
    options.ExcludeUppercase ? '' : 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
    options.ExcludeLowercase ? '' : 'abcdefghijklmnopqrstuvwxyz',
    options.ExcludeNumbers ? '' : '0123456789',
    options.ExcludePunctuation ? '' : PUNCTUATION,
    options.IncludeSpace ? ' ' : '',
  ].map((chars) => [...chars].filter((c) => !(options.ExcludeCharacters ?? '').includes(c)).join(''));
  const alphabet = classes.join('');
  return Array.from(
    { length: options.PasswordLength ?? 32 },
    () => alphabet[randomInt(alphabet.length)],
  ).join('');
}

/** The value a fresh deploy holds: `SecretString`, or one generated from `GenerateSecretString`. */
function initialValue(properties: {
  SecretString?: string;
  GenerateSecretString?: GenerateSecretString;
}): string {
  if (properties.SecretString !== undefined) return properties.SecretString;
  const generate = properties.GenerateSecretString ?? {};
  const password = generatePassword(generate);
  if (generate.SecretStringTemplate === undefined || generate.GenerateStringKey === undefined)
    return password;
  return JSON.stringify({
    ...(JSON.parse(generate.SecretStringTemplate) as object),
    [generate.GenerateStringKey]: password,
  });
}

const NOT_FOUND = (): AwsError =>
  new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");

/** A running Secrets Manager stand-in; `setSecretString` is the operator's console (no IAM, not logged). */
export interface RunningSecretsManager extends RunningService {
  /** Stores a new AWSCURRENT version, by logical id, name or ARN, as `put-secret-value` would. */
  setSecretString(secretId: string, value: string): void;
}

/**
 * Secrets Manager stand-in for the template's secrets: `GetSecretValue`, `PutSecretValue` and
 * `DescribeSecret`, by name, full ARN or partial ARN (without the random suffix), with versions
 * and the AWSCURRENT/AWSPREVIOUS stages. IAM authorizes against the full secret ARN.
 */
export async function startSecretsManager(
  account: FakeAccount,
  services: AccountServices,
): Promise<RunningSecretsManager> {
  const now = (): number => Date.now() / 1000;
  const secrets = new Map<string, StoredSecret>(
    account.logicalIdsOfType('AWS::SecretsManager::Secret').map((logicalId) => {
      const properties = account.properties(logicalId) as {
        Description?: string;
        SecretString?: string;
        GenerateSecretString?: GenerateSecretString;
      };
      const arn = account.ref(logicalId);
      const secret: StoredSecret = {
        arn,
        // The name is the last ARN segment without the "-" and six characters Secrets Manager appends.
        name: arn.split(':')[6]!.slice(0, -7),
        description: properties.Description,
        created: now(),
        versions: [
          {
            versionId: randomUUID(),
            value: initialValue(properties),
            stages: ['AWSCURRENT'],
            created: now(),
          },
        ],
      };
      return [logicalId, secret];
    }),
  );

  const find = (secretId: unknown): StoredSecret => {
    if (typeof secretId !== 'string' || secretId === '')
      throw new AwsError(
        'ValidationException',
        "1 validation error detected: Value null at 'secretId' failed to satisfy constraint: Member must not be null",
      );
    for (const [logicalId, secret] of secrets) {
      if ([logicalId, secret.name, secret.arn, secret.arn.slice(0, -7)].includes(secretId)) return secret;
    }
    throw NOT_FOUND();
  };

  const putVersion = (
    secret: StoredSecret,
    value: string,
    versionId: string = randomUUID(),
  ): SecretVersion => {
    const existing = secret.versions.find((v) => v.versionId === versionId);
    if (existing) {
      // The same ClientRequestToken is idempotent only with the same value.
      if (existing.value !== value)
        throw new AwsError(
          'ResourceExistsException',
          `You can't modify an existing version, you can only create a new version.`,
        );
      return existing;
    }
    for (const version of secret.versions) version.stages = version.stages.filter((s) => s !== 'AWSPREVIOUS');
    for (const version of secret.versions) {
      if (version.stages.includes('AWSCURRENT'))
        version.stages = [...version.stages.filter((s) => s !== 'AWSCURRENT'), 'AWSPREVIOUS'];
    }
    const version: SecretVersion = { versionId, value, stages: ['AWSCURRENT'], created: now() };
    secret.versions.push(version);
    return version;
  };

  const service = await startJsonService(
    {
      signingName: 'secretsmanager',
      iamPrefix: 'secretsmanager',
      targetPrefix: 'secretsmanager',
      jsonVersion: '1.1',
      handle: async (call) => {
        if (!['GetSecretValue', 'PutSecretValue', 'DescribeSecret'].includes(call.operation))
          throw new AwsError('UnknownOperationException', '');
        const secret = find(call.input.SecretId);
        await call.authorize(secret.arn);
        const { input } = call;
        if (call.operation === 'GetSecretValue') {
          const stage =
            typeof input.VersionStage === 'string'
              ? input.VersionStage
              : input.VersionId === undefined
                ? 'AWSCURRENT'
                : undefined;
          const version = secret.versions.find(
            (v) =>
              (input.VersionId === undefined || v.versionId === input.VersionId) &&
              (stage === undefined || v.stages.includes(stage)),
          );
          if (!version)
            throw new AwsError(
              'ResourceNotFoundException',
              "Secrets Manager can't find the specified secret value for staging label: " +
                (stage ?? 'AWSCURRENT'),
            );
          return {
            ARN: secret.arn,
            Name: secret.name,
            VersionId: version.versionId,
            SecretString: version.value,
            VersionStages: version.stages,
            CreatedDate: version.created,
          };
        }
        if (call.operation === 'PutSecretValue') {
          if (typeof input.SecretString !== 'string')
            throw new AwsError(
              'InvalidRequestException',
              'You must provide either SecretString or SecretBinary.',
            );
          const version = putVersion(
            secret,
            input.SecretString,
            typeof input.ClientRequestToken === 'string' ? input.ClientRequestToken : undefined,
          );
          return {
            ARN: secret.arn,
            Name: secret.name,
            VersionId: version.versionId,
            VersionStages: version.stages,
          };
        }
        return {
          ARN: secret.arn,
          Name: secret.name,
          ...(secret.description ? { Description: secret.description } : {}),
          CreatedDate: secret.created,
          LastChangedDate: secret.versions.at(-1)!.created,
          VersionIdsToStages: Object.fromEntries(
            secret.versions.filter((v) => v.stages.length > 0).map((v) => [v.versionId, v.stages]),
          ),
        };
      },
    },
    services,
  );
  return { ...service, setSecretString: (secretId, value) => void putVersion(find(secretId), value) };
}
