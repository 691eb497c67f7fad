import { KMSClient } from '@aws-sdk/client-kms';
import { ENV, requireEnv } from '../env';
import { emfMetrics } from './emf-metrics';
import { KmsSigner } from './kms-signer';
import { traced } from './tracing';
import { sdkLogger } from './sdk-logger';

/**
 * The KMS signer for the key in `SIGNING_KEY_ID`, also publishing `RETIRED_SIGNING_KEY_IDS`
 * (comma-separated); counts `SigningFailed`.
 */
export function kmsSigner(): KmsSigner {
  const retired = (process.env[ENV.retiredSigningKeyIds] ?? '').split(',').filter(Boolean);
  return new KmsSigner(
    traced(new KMSClient({ logger: sdkLogger })),
    requireEnv(ENV.signingKeyId),
    retired,
    emfMetrics,
  );
}
