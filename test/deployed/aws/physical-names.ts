import { createHash } from 'node:crypto';

/** Where a stack lives: the values of the `AWS::Partition`, `AWS::AccountId` and `AWS::Region` pseudo parameters. */
export interface AccountEnvironment {
  readonly account: string;
  readonly region: string;
  readonly partition: string;
  readonly stackName: string;
}

/** What CloudFormation hands out for one resource: its `Ref` value and its `Fn::GetAtt` attributes. */
export interface PhysicalResource {
  readonly ref: string;
  readonly attributes: Readonly<Record<string, string>>;
}

const MIXED = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const LOWER = 'abcdefghijklmnopqrstuvwxyz0123456789';

/**
 * The random parts of CloudFormation's generated names, derived from the stack and logical id so
 * that two runs give the same names (a failing run can be compared with a passing one).
 */
function pseudoRandom(seed: string, length: number, alphabet: string): string {
  const bytes = createHash('sha256').update(seed).digest();
  return Array.from({ length }, (_, i) => alphabet[bytes[i % bytes.length]! % alphabet.length]).join('');
}

function uuid(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** `<stack>-<logicalId>-<random>`, the logical id cut so the whole fits `maxLength`, as CloudFormation does. */
function generatedName(
  env: AccountEnvironment,
  logicalId: string,
  random: string,
  maxLength: number,
): string {
  const room = maxLength - env.stackName.length - random.length - 2;
  return `${env.stackName}-${logicalId.slice(0, Math.max(room, 1))}-${random}`;
}

function explicitName(properties: Readonly<Record<string, unknown>>, key: string): string | undefined {
  const value = properties[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string')
    throw new Error(`${key} must be resolved to a string before naming, got ${JSON.stringify(value)}`);
  return value;
}

/**
 * Names a resource the way CloudFormation would on a fresh deploy: the generated physical name
 * (or the one the template sets), its ARN, and the attributes `Fn::GetAtt` reads. `properties`
 * must already be resolved where they name the resource (e.g. `LogGroupName`).
 * @throws Error for a resource type this stand-in does not know how to name.
 */
export function physicalResource(
  env: AccountEnvironment,
  logicalId: string,
  type: string,
  properties: Readonly<Record<string, unknown>>,
): PhysicalResource {
  const seed = `${env.stackName}/${logicalId}`;
  const { partition: p, region: r, account: a } = env;
  switch (type) {
    case 'AWS::DynamoDB::Table': {
      const name =
        explicitName(properties, 'TableName') ??
        generatedName(env, logicalId, pseudoRandom(seed, 13, UPPER), 255);
      const arn = `arn:${p}:dynamodb:${r}:${a}:table/${name}`;
      return { ref: name, attributes: { Arn: arn, StreamArn: `${arn}/stream/2026-01-01T00:00:00.000` } };
    }
    case 'AWS::KMS::Key': {
      const keyId = uuid(seed);
      return { ref: keyId, attributes: { KeyId: keyId, Arn: `arn:${p}:kms:${r}:${a}:key/${keyId}` } };
    }
    case 'AWS::KMS::Alias': {
      const name = explicitName(properties, 'AliasName') ?? `alias/${logicalId}`;
      return { ref: name, attributes: {} };
    }
    case 'AWS::SecretsManager::Secret': {
      // Secrets Manager appends "-" and six random characters to the name in the ARN.
      const name = explicitName(properties, 'Name') ?? `${logicalId}-${pseudoRandom(seed, 12, MIXED)}`;
      const arn = `arn:${p}:secretsmanager:${r}:${a}:secret:${name}-${pseudoRandom(`${seed}/arn`, 6, MIXED)}`;
      return { ref: arn, attributes: { Id: arn } };
    }
    case 'AWS::StepFunctions::StateMachine': {
      const name =
        explicitName(properties, 'StateMachineName') ?? `${logicalId}-${pseudoRandom(seed, 12, MIXED)}`;
      const arn = `arn:${p}:states:${r}:${a}:stateMachine:${name}`;
      return { ref: arn, attributes: { Arn: arn, Name: name } };
    }
    case 'AWS::Lambda::Function': {
      const name =
        explicitName(properties, 'FunctionName') ??
        generatedName(env, logicalId, pseudoRandom(seed, 12, MIXED), 64);
      return { ref: name, attributes: { Arn: `arn:${p}:lambda:${r}:${a}:function:${name}` } };
    }
    case 'AWS::IAM::Role': {
      const name =
        explicitName(properties, 'RoleName') ??
        generatedName(env, logicalId, pseudoRandom(seed, 12, MIXED), 64);
      const path = explicitName(properties, 'Path') ?? '/';
      const roleId = `AROA${pseudoRandom(seed, 17, UPPER)}`;
      return { ref: name, attributes: { Arn: `arn:${p}:iam::${a}:role${path}${name}`, RoleId: roleId } };
    }
    case 'AWS::IAM::Policy':
      return {
        ref: `${env.stackName.slice(0, 5)}-${logicalId.slice(0, 5)}-${pseudoRandom(seed, 12, UPPER)}`,
        attributes: {},
      };
    case 'AWS::IAM::ManagedPolicy': {
      const name =
        explicitName(properties, 'ManagedPolicyName') ??
        generatedName(env, logicalId, pseudoRandom(seed, 13, UPPER), 128);
      const arn = `arn:${p}:iam::${a}:policy/${name}`;
      return { ref: arn, attributes: { PolicyArn: arn } };
    }
    case 'AWS::SNS::Topic': {
      const name =
        explicitName(properties, 'TopicName') ??
        generatedName(env, logicalId, pseudoRandom(seed, 12, UPPER), 256);
      const arn = `arn:${p}:sns:${r}:${a}:${name}`;
      return { ref: arn, attributes: { TopicArn: arn, TopicName: name } };
    }
    case 'AWS::SQS::Queue': {
      const name =
        explicitName(properties, 'QueueName') ??
        generatedName(env, logicalId, pseudoRandom(seed, 12, MIXED), 80);
      const url = `https://sqs.${r}.amazonaws.com/${a}/${name}`;
      return {
        ref: url,
        attributes: { Arn: `arn:${p}:sqs:${r}:${a}:${name}`, QueueName: name, QueueUrl: url },
      };
    }
    case 'AWS::Logs::LogGroup': {
      const name =
        explicitName(properties, 'LogGroupName') ??
        generatedName(env, logicalId, pseudoRandom(seed, 12, MIXED), 512);
      return { ref: name, attributes: { Arn: `arn:${p}:logs:${r}:${a}:log-group:${name}:*` } };
    }
    case 'AWS::Events::EventBus': {
      const name = explicitName(properties, 'Name') ?? logicalId;
      return { ref: name, attributes: { Arn: `arn:${p}:events:${r}:${a}:event-bus/${name}`, Name: name } };
    }
    case 'AWS::ApiGatewayV2::Api': {
      const id = pseudoRandom(seed, 10, LOWER);
      return {
        ref: id,
        attributes: { ApiId: id, ApiEndpoint: `https://${id}.execute-api.${r}.amazonaws.com` },
      };
    }
    default:
      // Every resource has a physical id; types nobody reads an attribute of only need one for Ref.
      return { ref: generatedName(env, logicalId, pseudoRandom(seed, 13, UPPER), 255), attributes: {} };
  }
}
