import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbPasskeyStore } from '../lambdas/adapters/aws/dynamodb-passkey-store';
import { BROWSER_LIBRARY_IN_PACKAGE, readOnce } from '../lambdas/adapters/passkey/browser-library';
import { WebAuthnCeremony } from '../lambdas/adapters/passkey/webauthn-ceremony';
import { relyingPartyOf } from '../lambdas/adapters/passkey/webauthn-options';
import type { ConfirmPasskeyVoteDeps } from '../lambdas/domain/passkey/confirm-passkey-vote';
import { approvalAssetsHandler } from '../lambdas/handlers/approval-assets';
import { approvalConfirmHandler } from '../lambdas/handlers/approval-confirm';
import { approvalPageHandler } from '../lambdas/handlers/approval-page';
import { passkeysRevokeHandler } from '../lambdas/handlers/passkeys-revoke';
import type { AgentAdmission } from '../lambdas/domain/agents/agent-admission';
import type { LambdaRoute } from './http-server';

/**
 * The base URL of the approval pages: `STEPUP_PUBLIC_URL` when a tunnel is set, else the local
 * server's URL with `localhost` for its address, since WebAuthn accepts no IP address as RP ID.
 */
export function passkeyBaseUrl(serverUrl: string, publicUrl: URL | undefined): string {
  if (publicUrl) return publicUrl.origin;
  const url = new URL(serverUrl);
  url.hostname = 'localhost';
  return url.origin;
}

/** The passkey store and WebAuthn relying party of the local runtime, in its table. */
export function localPasskeys(client: DynamoDBClient, tableName: string, baseUrl: string) {
  return {
    passkeys: new DynamoDbPasskeyStore(client, tableName),
    ceremony: new WebAuthnCeremony(relyingPartyOf(baseUrl)),
  };
}

/** The handlers of the passkey routes, on the same ports as the Lambdas'. */
export function passkeyHandlers(
  deps: ConfirmPasskeyVoteDeps & { readonly admission: AgentAdmission },
): Record<'approvalPage' | 'approvalConfirm' | 'approvalAssets' | 'passkeysRevoke', LambdaRoute['handler']> {
  const library = readOnce(join(__dirname, '..', 'node_modules', BROWSER_LIBRARY_IN_PACKAGE));
  return {
    approvalPage: approvalPageHandler(deps),
    approvalConfirm: approvalConfirmHandler(deps),
    approvalAssets: approvalAssetsHandler({ browserLibrary: library }),
    passkeysRevoke: passkeysRevokeHandler({ ...deps, operators: deps.config.operators }),
  };
}
