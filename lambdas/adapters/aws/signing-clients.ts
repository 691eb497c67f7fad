import { KMSClient } from '@aws-sdk/client-kms';
import { ENV, requireEnv } from '../env';
import { emfMetrics } from './emf-metrics';
import { KmsSigner } from './kms-signer';
import { traced } from './tracing';
import { SDK_CLIENT_OPTIONS } from './sdk-client-options';

/**
 * The KMS signer for the key in `SIGNING_KEY_ID`, also publishing `RETIRED_SIGNING_KEY_IDS`
 * (comma-separated); counts `SigningFailed`.
 */
export function kmsSigner(): KmsSigner {
  const retired = (process.env[ENV.retiredSigningKeyIds] ?? '').split(',').filter(Boolean);
  return new KmsSigner(
    traced(new KMSClient({ ...SDK_CLIENT_OPTIONS })),
    requireEnv(ENV.signingKeyId),
    retired,
    emfMetrics,
  );
}
