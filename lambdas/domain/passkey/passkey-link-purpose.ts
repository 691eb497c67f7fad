import type { Clock } from '../../ports/clock';
import type { PasskeyStore } from '../../ports/passkey-store';
import { StepUpError } from '../errors';
import { LINK_SECRET_PATTERN, linkIdOf, linkProblem, type PasskeyLinkPurpose } from './passkey-link';

/**
 * What a usable link is for.
 * @throws StepUpError invalid_grant when the link is unknown, used or expired
 */
export async function linkPurpose(
  deps: { readonly passkeys: PasskeyStore; readonly clock: Clock },
  secret: string,
): Promise<PasskeyLinkPurpose> {
  const link = LINK_SECRET_PATTERN.test(secret) ? await deps.passkeys.getLink(linkIdOf(secret)) : undefined;
  const problem = linkProblem(link, deps.clock.now());
  if (!link || problem) throw new StepUpError('invalid_grant', problem ?? 'This link is not valid.');
  return link.purpose;
}
