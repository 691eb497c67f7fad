// The public surface of the stepup CDK library, for use in a team's own stack.
export { StepUpApproval, type StepUpApprovalProps } from './step-up-approval';
export { StepUpStack, type StepUpStackProps } from './step-up-stack';
export { WORKFLOW_STATES } from './approval-workflow';
export { HANDLER_FILES, type StepUpFunctionName } from './handlers';
