import { authenticatedRoute } from '../adapters/api-gateway/authenticated-route';
import { bodyOf, json } from '../adapters/api-gateway/http-event';
import { lazyHandler } from '../adapters/aws/lazy-handler';
import { passkeyStore } from '../adapters/aws/table-clients';
import { envAdmission } from '../adapters/env-admission';
import { envConfig } from '../adapters/env-config';
import { logger } from '../adapters/logger';
import { passkeyRevocationBody } from '../api/schemas/passkey-confirmation';
import type { AgentAdmission } from '../domain/agents/agent-admission';
import { revokePasskeys } from '../domain/passkey/revoke-passkeys';
import type { PasskeyStore } from '../ports/passkey-store';

/**
 * `POST /v1/passkeys/revoke`: an operator (config `operators`, the same list as the kill switch)
 * removes every passkey of one approver; logged as an audit line.
 */
export function passkeysRevokeHandler(deps: {
  readonly passkeys: PasskeyStore;
  readonly operators: readonly string[];
  readonly admission: AgentAdmission;
}) {
  return authenticatedRoute(deps.admission, async (event, caller) => {
    const { user } = passkeyRevocationBody.parse(bodyOf(event));
    const result = await revokePasskeys(deps, caller, user);
    logger.warn('approver passkeys revoked by an operator', {
      operator: caller,
      user,
      ...result,
      audit: true,
    });
    return json(200, result);
  });
}

export const handler = lazyHandler(() => {
  const config = envConfig();
  return passkeysRevokeHandler({
    passkeys: passkeyStore(),
    operators: config.operators,
    admission: envAdmission(config),
  });
});
