/**
 * The resource-server side of stepup: verify a single-use step-up token locally, then consume it
 * exactly once through introspection. Start with {@link createStepUpVerifier}.
 */
export {
  createStepUpVerifier,
  MAX_CLOCK_TOLERANCE_SECONDS,
  type IntrospectionOptions,
  type DpopOptions,
  type StepUpApproval,
  type StepUpAuthorizationDetail,
  type StepUpExpectation,
  type StepUpTokenClaims,
  type StepUpVerifier,
  type StepUpVerifierOptions,
} from './verify-and-consume';
export {
  accessTokenHash,
  DEFAULT_DPOP_ALGORITHMS,
  InMemoryDpopReplayCache,
  verifyDpopProof,
  type DpopProofClaims,
  type DpopProofPolicy,
  type DpopReplayCache,
  type DpopRequest,
} from './dpop-proof';
export { isStepUpTokenError, StepUpTokenError, type StepUpTokenErrorCode } from './errors';
export { OutcomeReportError, type ActionOutcome, type RecordedOutcome } from './outcome-report';
