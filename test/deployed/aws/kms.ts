import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import type { FakeAccount } from './account';
import { AwsError } from '../../../local/aws/aws-error';
import { signDigestP256 } from './ecdsa-digest';
import type { PolicyDocument } from './iam';
import { startJsonService, type AccountServices, type RunningService } from './json-service';

interface KmsKey {
  readonly keyId: string;
  readonly arn: string;
  readonly privateKey: KeyObject;
  readonly publicKeyDer: Buffer;
  readonly keyPolicy: PolicyDocument;
}

/** KMS caps a RAW message at 4096 bytes. */
const MAX_RAW_MESSAGE_BYTES = 4096;
const SIGNING_ALGORITHM = 'ECDSA_SHA_256';

/** One real P-256 key pair per `AWS::KMS::Key` of the template (the only key spec the stand-in models). */
function createKeys(account: FakeAccount): KmsKey[] {
  return account.logicalIdsOfType('AWS::KMS::Key').flatMap((logicalId) => {
    const properties = account.properties(logicalId) as {
      KeySpec?: string;
      KeyUsage?: string;
      KeyPolicy?: PolicyDocument;
    };
    // A symmetric key (default KeyUsage) serves another service, e.g. the encrypted alarm topic;
    // no function calls KMS with it, so it is not modelled (a call naming it gets NotFoundException).
    if ((properties.KeyUsage ?? 'ENCRYPT_DECRYPT') === 'ENCRYPT_DECRYPT') return [];
    if (properties.KeySpec !== 'ECC_NIST_P256' || properties.KeyUsage !== 'SIGN_VERIFY') {
      throw new Error(
        `${logicalId}: the KMS stand-in models ECC_NIST_P256 SIGN_VERIFY keys only, not ${properties.KeySpec}/${properties.KeyUsage}`,
      );
    }
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    return {
      keyId: account.ref(logicalId),
      arn: account.getAtt(logicalId, 'Arn'),
      privateKey,
      publicKeyDer: publicKey.export({ format: 'der', type: 'spki' }),
      // CloudFormation's default key policy when none is given: the account may use IAM for it.
      keyPolicy: properties.KeyPolicy ?? {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: `arn:${account.env.partition}:iam::${account.env.account}:root` },
            Action: 'kms:*',
            Resource: '*',
          },
        ],
      },
    };
  });
}

/** Alias name (`alias/…`) → key id, from the template's `AWS::KMS::Alias` resources. */
function aliases(account: FakeAccount, keys: readonly KmsKey[]): Map<string, KmsKey> {
  const byAlias = new Map<string, KmsKey>();
  for (const logicalId of account.logicalIdsOfType('AWS::KMS::Alias')) {
    const { AliasName, TargetKeyId } = account.properties(logicalId) as {
      AliasName: string;
      TargetKeyId: string;
    };
    const key = keys.find((k) => k.keyId === TargetKeyId || k.arn === TargetKeyId);
    if (key) byAlias.set(AliasName, key);
  }
  return byAlias;
}

function decodeBlob(value: unknown, field: string): Buffer {
  if (typeof value !== 'string' || value === '')
    throw new AwsError(
      'ValidationException',
      `1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must not be null`,
    );
  return Buffer.from(value, 'base64');
}

/** `Sign`: a DER ECDSA signature over the RAW message (hashed here) or the DIGEST (signed as is). */
function signMessage(key: KmsKey, input: Readonly<Record<string, unknown>>): Buffer {
  if (input.SigningAlgorithm !== SIGNING_ALGORITHM) {
    throw new AwsError(
      'InvalidKeyUsageException',
      `You cannot use the signing algorithm ${String(input.SigningAlgorithm).slice(0, 40)} with this KMS key.`,
    );
  }
  const message = decodeBlob(input.Message, 'message');
  const messageType = input.MessageType ?? 'RAW';
  if (messageType === 'DIGEST') {
    if (message.length !== 32)
      throw new AwsError('ValidationException', 'Digest is invalid length for algorithm ECDSA_SHA_256.');
    return signDigestP256(key.privateKey, message);
  }
  if (messageType !== 'RAW') {
    throw new AwsError(
      'ValidationException',
      `1 validation error detected: Value '${String(messageType).slice(0, 40)}' at 'messageType' failed to satisfy constraint: Member must satisfy enum value set: [RAW, DIGEST, EXTERNAL_MU]`,
    );
  }
  if (message.length > MAX_RAW_MESSAGE_BYTES) {
    throw new AwsError(
      'ValidationException',
      "1 validation error detected: Value at 'message' failed to satisfy constraint: Member must have length less than or equal to 4096",
    );
  }
  return sign('sha256', message, key.privateKey);
}

/**
 * KMS stand-in for the template's asymmetric signing keys: `GetPublicKey` (SPKI DER) and `Sign`
 * (`ECDSA_SHA_256`, RAW or DIGEST, DER signature) with a real P-256 key per key, addressed by key
 * id, key ARN, alias name or alias ARN. IAM authorizes against the key ARN with the key policy
 * from the template as the resource policy, so a grant must come through the key policy (directly
 * or by delegating to the account's IAM), as in KMS.
 */
export async function startKms(account: FakeAccount, services: AccountServices): Promise<RunningService> {
  const keys = createKeys(account);
  const byAlias = aliases(account, keys);
  const { partition, region, account: accountId } = account.env;

  const findKey = (keyIdInput: unknown): KmsKey => {
    if (typeof keyIdInput !== 'string' || keyIdInput === '') {
      throw new AwsError(
        'ValidationException',
        "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null",
      );
    }
    const aliasPrefix = `arn:${partition}:kms:${region}:${accountId}:`;
    const aliasName = keyIdInput.startsWith(`${aliasPrefix}alias/`)
      ? keyIdInput.slice(aliasPrefix.length)
      : keyIdInput;
    const key = byAlias.get(aliasName) ?? keys.find((k) => k.keyId === keyIdInput || k.arn === keyIdInput);
    if (!key) {
      const message = aliasName.startsWith('alias/')
        ? `Alias ${aliasPrefix}${aliasName} is not found.`
        : `Key '${keyIdInput.startsWith('arn:') ? keyIdInput : `${aliasPrefix}key/${keyIdInput}`}' does not exist`;
      throw new AwsError('NotFoundException', message);
    }
    return key;
  };

  return startJsonService(
    {
      signingName: 'kms',
      iamPrefix: 'kms',
      targetPrefix: 'TrentService',
      jsonVersion: '1.1',
      handle: async (call) => {
        if (call.operation !== 'GetPublicKey' && call.operation !== 'Sign')
          throw new AwsError('UnknownOperationException', '');
        const key = findKey(call.input.KeyId);
        await call.authorize(key.arn, { resourcePolicy: key.keyPolicy });
        if (call.operation === 'Sign') {
          return {
            KeyId: key.arn,
            Signature: signMessage(key, call.input).toString('base64'),
            SigningAlgorithm: SIGNING_ALGORITHM,
          };
        }
        return {
          KeyId: key.arn,
          PublicKey: key.publicKeyDer.toString('base64'),
          KeySpec: 'ECC_NIST_P256',
          CustomerMasterKeySpec: 'ECC_NIST_P256',
          KeyUsage: 'SIGN_VERIFY',
          SigningAlgorithms: [SIGNING_ALGORITHM],
        };
      },
    },
    services,
  );
}
