import { KMSClient } from '@aws-sdk/client-kms';
import { requireEnv } from '../env';
import { KmsSigner } from './kms-signer';

/** The KMS signer for the key in `SIGNING_KEY_ID`, also publishing `RETIRED_SIGNING_KEY_IDS` (comma-separated). */
export function kmsSigner(): KmsSigner {
  const retired = (process.env.RETIRED_SIGNING_KEY_IDS ?? '').split(',').filter(Boolean);
  return new KmsSigner(new KMSClient({}), requireEnv('SIGNING_KEY_ID'), retired);
}
