import type { PeopleDirectory } from '../../ports/people-directory';
import type { StepUpConfig } from '../config/config';
import { identitySkeleton, normalizeIdentity } from '../policy/identity-skeleton';

/** The human an agent named in `on_behalf_of`, in the forms a clicker is compared with. */
export interface Requester {
  /** UTS #39 skeleton of what the agent wrote (after trimming, case folding, `mailto:`, NFKC). */
  readonly skeleton: string;
  /** Slack accounts it resolves to: through the config's `people`, or `users.lookupByEmail`. */
  readonly slackIds: ReadonlySet<string>;
}

/**
 * Resolves `on_behalf_of` once per click. `people` keys are matched by skeleton, so a look-alike
 * (`аlice@…` in Cyrillic, `" Alice@…"`, `mailto:alice@…`) finds the same person as the real address.
 */
export async function resolveRequester(
  config: StepUpConfig,
  directory: PeopleDirectory | undefined,
  onBehalfOf: string,
): Promise<Requester> {
  const skeleton = identitySkeleton(onBehalfOf);
  const slackIds = new Set(
    Object.entries(config.people)
      .filter(([human]) => identitySkeleton(human) === skeleton)
      .map(([, id]) => id),
  );
  const email = normalizeIdentity(onBehalfOf);
  if (directory && email.includes('@')) {
    const id = await directory.slackIdForEmail(email);
    if (id) slackIds.add(id);
  }
  return { skeleton, slackIds };
}

/**
 * Is `clicker` (a Slack user id) the requester? True when the requester resolves to that account,
 * or when what the agent wrote looks like the clicker's id, an email the config or Slack lists for
 * them, its local part, or one of their Slack names. A false match only sends the approval to
 * another member; a missed one lets a human approve their own request, so the comparison errs wide.
 * Slack is asked (`users.info`) only when the config alone did not settle it; its errors propagate.
 */
export async function isSelfApproval(
  config: StepUpConfig,
  directory: PeopleDirectory | undefined,
  requester: Requester,
  clicker: string,
): Promise<boolean> {
  if (!requester.skeleton) return false;
  if (requester.slackIds.has(clicker)) return true;
  const listedEmails = Object.entries(config.people)
    .filter(([, id]) => id === clicker)
    .map(([human]) => human);
  if (looksLike(requester, [clicker, ...listedEmails])) return true;
  const profile = await directory?.profileOf(clicker);
  return (
    profile !== undefined &&
    looksLike(requester, [...(profile.email ? [profile.email] : []), ...profile.names])
  );
}

/** Whether the requester's skeleton equals that of any of `identities` or of an email's local part. */
function looksLike(requester: Requester, identities: readonly string[]): boolean {
  return identities
    .flatMap((identity) => {
      const email = normalizeIdentity(identity);
      const at = email.lastIndexOf('@');
      return at > 0 ? [identity, email.slice(0, at)] : [identity];
    })
    .some((identity) => identitySkeleton(identity) === requester.skeleton);
}
