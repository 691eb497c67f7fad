import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';

/**
 * The ES256 key that signs step-up tokens. The private half never leaves KMS; handlers get
 * `kms:Sign` or `kms:GetPublicKey` individually. Asymmetric keys cannot rotate automatically:
 * rotating means a new key, with the old one kept in the JWKS until its tokens have expired.
 */
export function buildSigningKey(scope: Construct, id: string): kms.Key {
  return new kms.Key(scope, id, {
    keySpec: kms.KeySpec.ECC_NIST_P256,
    keyUsage: kms.KeyUsage.SIGN_VERIFY,
    description: 'stepup: signs single-use step-up tokens (ES256)',
  });
}
