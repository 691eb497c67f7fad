import { createHash, createPublicKey, verify } from 'node:crypto';
import { DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { GetPublicKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeAccount } from './account';
import { CallLog } from './call-log';
import { startDynamoDb } from './dynamodb';
import { FIXTURE_TEMPLATE } from './fixture-template';
import { IamEvaluator } from './iam';
import type { RunningService } from './json-service';
import { startKms } from './kms';
import { Principals, type RoleCredentials } from './principals';
import { startSecretsManager, type RunningSecretsManager } from './secrets-manager';

const account = FakeAccount.fromTemplate(FIXTURE_TEMPLATE);
const principals = new Principals(account);
const callLog = new CallLog();
const services = { region: account.env.region, principals, iam: new IamEvaluator(account), callLog };
const writer = principals.forFunction('Worker');
const reader = principals.forFunction('Reader');
const tableName = account.ref('Table');
let dynamodb: RunningService;
let kms: RunningService;
let secrets: RunningSecretsManager;

const client = <T>(Client: new (config: object) => T, endpoint: string, credentials: RoleCredentials): T =>
  new Client({ endpoint, region: account.env.region, credentials, maxAttempts: 1 });

beforeAll(async () => {
  [dynamodb, kms, secrets] = await Promise.all([
    startDynamoDb(account, services),
    startKms(account, services),
    startSecretsManager(account, services),
  ]);
});
afterAll(async () => {
  await Promise.all([dynamodb?.close(), kms?.close(), secrets?.close()]);
});

describe('DynamoDB stand-in', () => {
  it('serves a granted call from the template table and refuses an un-granted one as AWS words it', async () => {
    const writes = client(DynamoDBClient, dynamodb.endpoint, writer);
    await writes.send(
      new PutItemCommand({ TableName: tableName, Item: { pk: { S: 'a' }, agent: { S: 'bot' } } }),
    );
    const read = await client(DynamoDBClient, dynamodb.endpoint, reader).send(
      new GetItemCommand({ TableName: tableName, Key: { pk: { S: 'a' } } }),
    );
    expect(read.Item?.agent?.S).toBe('bot');
    const byAgent = await writes.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: 'byAgent',
        KeyConditionExpression: '#a = :a',
        ExpressionAttributeNames: { '#a': 'agent' },
        ExpressionAttributeValues: { ':a': { S: 'bot' } },
      }),
    );
    expect(byAgent.Count).toBe(1);

    const denied = client(DynamoDBClient, dynamodb.endpoint, reader).send(
      new PutItemCommand({ TableName: tableName, Item: { pk: { S: 'b' } } }),
    );
    await expect(denied).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: `User: ${reader.assumedRoleArn} is not authorized to perform: dynamodb:PutItem on resource: ${account.getAtt('Table', 'Arn')} because no identity-based policy allows the dynamodb:PutItem action`,
    });
    expect(callLog.denied()).toContainEqual(
      expect.objectContaining({ roleLogicalId: 'ReaderRole', action: 'dynamodb:PutItem', allowed: false }),
    );
  });

  it('refuses a bad signature and an unknown key', async () => {
    const badSecret = client(DynamoDBClient, dynamodb.endpoint, { ...writer, secretAccessKey: 'wrong' });
    await expect(
      badSecret.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: 'a' } } })),
    ).rejects.toMatchObject({ name: 'InvalidSignatureException' });
    const unknown = client(DynamoDBClient, dynamodb.endpoint, {
      ...writer,
      accessKeyId: 'ASIAUNKNOWNUNKNOWN12',
    });
    await expect(
      unknown.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: 'a' } } })),
    ).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
  });
});

describe('KMS stand-in', () => {
  it('signs a DIGEST and a RAW message with a key that node:crypto verifies against the SPKI public key', async () => {
    const kmsClient = client(KMSClient, kms.endpoint, writer);
    const { PublicKey, KeySpec, SigningAlgorithms } = await kmsClient.send(
      new GetPublicKeyCommand({ KeyId: account.ref('Key') }),
    );
    expect({ KeySpec, SigningAlgorithms }).toEqual({
      KeySpec: 'ECC_NIST_P256',
      SigningAlgorithms: ['ECDSA_SHA_256'],
    });
    const publicKey = createPublicKey({ key: Buffer.from(PublicKey!), format: 'der', type: 'spki' });
    const message = Buffer.from('header.payload');
    const digest = createHash('sha256').update(message).digest();
    const signed = await kmsClient.send(
      new SignCommand({
        KeyId: 'alias/signing',
        Message: digest,
        MessageType: 'DIGEST',
        SigningAlgorithm: 'ECDSA_SHA_256',
      }),
    );
    expect(verify('sha256', message, publicKey, Buffer.from(signed.Signature!))).toBe(true);
    const raw = await kmsClient.send(
      new SignCommand({
        KeyId: account.getAtt('Key', 'Arn'),
        Message: message,
        MessageType: 'RAW',
        SigningAlgorithm: 'ECDSA_SHA_256',
      }),
    );
    expect(verify('sha256', message, publicKey, Buffer.from(raw.Signature!))).toBe(true);
  });

  it('refuses Sign to a role the key policy delegates to IAM but no identity policy grants', async () => {
    const sign = client(KMSClient, kms.endpoint, reader).send(
      new SignCommand({
        KeyId: account.ref('Key'),
        Message: Buffer.alloc(32),
        MessageType: 'DIGEST',
        SigningAlgorithm: 'ECDSA_SHA_256',
      }),
    );
    await expect(sign).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });
});

describe('Secrets Manager stand-in', () => {
  it('holds what a fresh deploy generates, by partial ARN, and versions a PutSecretValue', async () => {
    const arn = account.ref('Secret');
    const secretsClient = client(SecretsManagerClient, secrets.endpoint, writer);
    const initial = await secretsClient.send(new GetSecretValueCommand({ SecretId: arn.slice(0, -7) }));
    expect(JSON.parse(initial.SecretString!)).toEqual({
      botToken: 'xoxb-replace-me',
      signingSecret: expect.stringMatching(/^[A-Za-z0-9]{32}$/),
    });
    expect(initial).toMatchObject({ ARN: arn, VersionStages: ['AWSCURRENT'] });

    await expect(
      secretsClient.send(new PutSecretValueCommand({ SecretId: arn, SecretString: 'x' })),
    ).rejects.toMatchObject({ name: 'AccessDeniedException' });
    secrets.setSecretString('Secret', '{"botToken":"xoxb-1"}');
    const current = await secretsClient.send(new GetSecretValueCommand({ SecretId: initial.Name }));
    expect(current.SecretString).toBe('{"botToken":"xoxb-1"}');
    const previous = await secretsClient.send(
      new GetSecretValueCommand({ SecretId: arn, VersionStage: 'AWSPREVIOUS' }),
    );
    expect(previous.VersionId).toBe(initial.VersionId);
  });
});
