import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { StepUpApproval, type StepUpApprovalProps } from './step-up-approval';

/** Properties of {@link StepUpStack}. */
export interface StepUpStackProps extends StackProps, StepUpApprovalProps {
  /**
   * ARN of an existing SNS topic for the alarms, imported into the stack (for the construct in your
   * own stack, pass `alarmTopic` instead). Ignored when `alarmTopic` is given.
   * @default - a new topic (see `alarmTopic`)
   */
  readonly alarmTopicArn?: string;
}

/** A ready-to-deploy stack holding one {@link StepUpApproval}, with its API URL and Slack secret as outputs. */
export class StepUpStack extends Stack {
  /** The stepup construct. */
  public readonly approval: StepUpApproval;

  constructor(scope: Construct, id: string, props: StepUpStackProps) {
    super(scope, id, props);
    // The construct reads only its own props and the stack only its own, so both take them all: a
    // construct prop can never again be dropped on the way (retiredSigningKeyArns once was).
    const alarmTopic =
      props.alarmTopic ??
      (props.alarmTopicArn ? sns.Topic.fromTopicArn(this, 'AlarmTopic', props.alarmTopicArn) : undefined);
    this.approval = new StepUpApproval(this, 'StepUp', { ...props, alarmTopic });

    new CfnOutput(this, 'ApiUrl', {
      description: 'Base URL of the stepup API (agents, resource servers, and Slack at /slack/events)',
      value: this.approval.apiUrl,
    });
    new CfnOutput(this, 'SlackSecretName', {
      description: 'Secrets Manager secret to fill with {"botToken","signingSecret"} from your Slack app',
      value: this.approval.slackSecret.secretName,
    });
    new CfnOutput(this, 'CredentialsAwsRoleArn', {
      description:
        'Role of the AWS credentials exchange: the principal the trust policy of every awsTargets role must name',
      value: this.approval.credentialsAwsRole.roleArn,
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      description: 'SNS topic of the stepup alarms: subscribe email or AWS Chatbot to it',
      value: this.approval.operations.alarmTopic.topicArn,
    });
  }
}
