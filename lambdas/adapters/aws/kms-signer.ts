import { createHash } from 'node:crypto';
import { GetPublicKeyCommand, SignCommand, type KMSClient } from '@aws-sdk/client-kms';
import { calculateJwkThumbprint, exportJWK, importSPKI, type JWK } from 'jose';
import { noMetrics, type OperationalMetrics } from '../../ports/operational-metrics';
import type { JsonWebKeySet, TokenSigner } from '../../ports/token-signer';
import { derToJoseSignature } from './der-signature';

function base64url(value: Buffer | string): string {
  return Buffer.from(value).toString('base64url');
}

/**
 * {@link TokenSigner} backed by a KMS ECC_NIST_P256 key: the private key never leaves KMS. KMS signs
 * the SHA-256 digest; its DER signature is converted to the JOSE `R‖S` form.
 */
export class KmsSigner implements TokenSigner {
  private readonly publicJwks = new Map<string, Promise<JWK>>();

  /**
   * @param keyId the key that signs
   * @param retiredKeyIds keys that no longer sign but whose tokens may still be live: published in
   *   the JWKS until those tokens have expired (the rotation procedure in the README)
   * @param metrics counts `SigningFailed` when KMS does not sign
   * @default retiredKeyIds none
   * @default metrics {@link noMetrics}
   */
  constructor(
    private readonly client: KMSClient,
    private readonly keyId: string,
    private readonly retiredKeyIds: readonly string[] = [],
    private readonly metrics: OperationalMetrics = noMetrics,
  ) {}

  private loadPublicJwk(keyId = this.keyId): Promise<JWK> {
    let loading = this.publicJwks.get(keyId);
    if (!loading) {
      loading = (async () => {
        const { PublicKey } = await this.client.send(new GetPublicKeyCommand({ KeyId: keyId }));
        if (!PublicKey) throw new Error('KMS returned no public key');
        const pem = `-----BEGIN PUBLIC KEY-----\n${Buffer.from(PublicKey).toString('base64')}\n-----END PUBLIC KEY-----`;
        const jwk = await exportJWK(await importSPKI(pem, 'ES256', { extractable: true }));
        return { ...jwk, kid: await calculateJwkThumbprint(jwk), alg: 'ES256', use: 'sig' };
      })();
      this.publicJwks.set(keyId, loading);
      loading.catch(() => this.publicJwks.delete(keyId));
    }
    return loading;
  }

  async sign(claims: Record<string, unknown>): Promise<string> {
    try {
      const { kid } = await this.loadPublicJwk();
      const signingInput = `${base64url(JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid }))}.${base64url(JSON.stringify(claims))}`;
      const { Signature } = await this.client.send(
        new SignCommand({
          KeyId: this.keyId,
          Message: createHash('sha256').update(signingInput).digest(),
          MessageType: 'DIGEST',
          SigningAlgorithm: 'ECDSA_SHA_256',
        }),
      );
      if (!Signature) throw new Error('KMS returned no signature');
      return `${signingInput}.${base64url(derToJoseSignature(Buffer.from(Signature), 32))}`;
    } catch (error) {
      // An approved agent cannot collect its token while this fails: the SigningFailed alarm pages.
      this.metrics.count('SigningFailed');
      throw error;
    }
  }

  async jwks(): Promise<JsonWebKeySet> {
    const keys = await Promise.all([this.keyId, ...this.retiredKeyIds].map((id) => this.loadPublicJwk(id)));
    return { keys: keys as Record<string, unknown>[] };
  }
}
