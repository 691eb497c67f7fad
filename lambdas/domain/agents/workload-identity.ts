import { StepUpError } from '../errors';
import { requireText, type StringRule } from '../config/validation';

/**
 * What a workload identity (a workload JWT's `sub`) may be: single-line text under the text policy
 * of `requireText`. Approvers read it in the approval message, and Cedar, the audit trail and the
 * token carry it, so a `sub` with a line break could forge a line of the message.
 */
export const WORKLOAD_SUB_RULE: StringRule = { max: 256 };

/**
 * The caller's workload identity, exactly as its token states it. An identity is compared, never
 * rewritten: a `sub` the text policy would change (not in NFC) is refused like one it refuses.
 * @throws StepUpError `invalid_token`
 */
export function requireWorkloadSub(sub: unknown): string {
  try {
    if (typeof sub === 'string' && requireText(sub, 'sub', WORKLOAD_SUB_RULE) === sub) return sub;
  } catch {
    // Same answer as the non-NFC case below: the token names no usable identity.
  }
  throw new StepUpError(
    'invalid_token',
    'the workload token must have a sub of at most 256 characters of well-formed, NFC-normalised ' +
      'single-line text without control, format or invisible characters',
  );
}
