import { STSClient } from '@aws-sdk/client-sts';
import { StsSessionIssuer } from './sts-session-issuer';
import { traced } from './tracing';
import { SDK_CLIENT_OPTIONS } from './sdk-client-options';

/** Role sessions from STS in the function's region (its own module: only the exchange loads the STS client). */
export function stsSessionIssuer(): StsSessionIssuer {
  return new StsSessionIssuer(traced(new STSClient({ ...SDK_CLIENT_OPTIONS })));
}
