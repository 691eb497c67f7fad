import { describe, expect, it } from 'vitest';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { HANDLER_FILES } from '../../lib/handlers';
import { StepUpApproval } from '../../lib/step-up-approval';
import { inProcessSynthContext } from '../../local/synthesized-definition';
import { config, logicalIdOf, synthesized } from './template';

type Resource = { Properties: Record<string, unknown> };

const stepup = (metricName: string) => ({
  Namespace: 'stepup',
  MetricName: metricName,
  Dimensions: [{ Name: 'service', Value: 'stepup' }],
});

/** Every alarm the construct must create, with the metric it must watch (a plain metric or a math query). */
const EXPECTED: Record<string, Record<string, unknown>> = {
  WorkflowFailed: { Namespace: 'AWS/States', MetricName: 'ExecutionsFailed' },
  WorkflowTimedOut: { Namespace: 'AWS/States', MetricName: 'ExecutionsTimedOut' },
  WorkflowAborted: { query: ['ExecutionsAborted', 'RequestCancelled'] },
  Api5xx: { Namespace: 'AWS/ApiGateway', MetricName: '5xx' },
  TableReadThrottles: { Namespace: 'AWS/DynamoDB', MetricName: 'ReadThrottleEvents' },
  TableWriteThrottles: { Namespace: 'AWS/DynamoDB', MetricName: 'WriteThrottleEvents' },
  TableSystemErrors: { query: ['SystemErrors'] },
  SigningFailed: stepup('SigningFailed'),
  SlackPlaceholderSecret: stepup('SlackPlaceholderSecret'),
  SlackCallFailed: stepup('SlackCallFailed'),
  OwnerNoticeFailed: stepup('OwnerNoticeFailed'),
  RequestReconciled: stepup('RequestReconciled'),
  ...Object.fromEntries(
    Object.keys(HANDLER_FILES).flatMap((name) => [
      [`LambdaErrors.${name}`, { Namespace: 'AWS/Lambda', MetricName: 'Errors' }],
      [`LambdaThrottles.${name}`, { Namespace: 'AWS/Lambda', MetricName: 'Throttles' }],
    ]),
  ),
};

describe('operations', () => {
  const { stack, template } = synthesized();
  const { operations } = stack.approval;
  const topicRef = { Ref: logicalIdOf(operations.alarmTopic as sns.Topic) };

  it('traces every function with X-Ray (active tracing)', () => {
    const functions = Object.entries(template.findResources('AWS::Lambda::Function'));
    expect(functions).toHaveLength(Object.keys(HANDLER_FILES).length);
    for (const [id, fn] of functions) expect(fn.Properties.TracingConfig, id).toEqual({ Mode: 'Active' });
  });

  it('creates exactly the expected alarms, nothing more', () => {
    expect(Object.keys(operations.alarms).sort()).toEqual(Object.keys(EXPECTED).sort());
    template.resourceCountIs('AWS::CloudWatch::Alarm', Object.keys(EXPECTED).length);
  });

  it.each(Object.entries(EXPECTED))(
    '%s watches its metric, fires on the first occurrence and notifies the topic',
    (name, metric) => {
      const alarm = operations.alarms[name];
      if (!alarm) throw new Error(`no alarm ${name}`);
      const { Properties: props } = template.toJSON().Resources[logicalIdOf(alarm)] as Resource;
      expect(props).toMatchObject({
        Threshold: 1,
        EvaluationPeriods: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [topicRef],
        OKActions: [topicRef],
      });
      // No physical name: the stack stays redeployable after a rollback.
      expect(props.AlarmName).toBeUndefined();
      if ('query' in metric) {
        const watched = JSON.stringify(props.Metrics);
        for (const part of metric.query as string[]) expect(watched).toContain(part);
      } else {
        expect(props).toMatchObject({ ...metric, Period: 300, Statistic: 'Sum' });
      }
    },
  );

  it('creates an encrypted, TLS-only topic without a fixed name', () => {
    const [topic] = Object.values(template.findResources('AWS::SNS::Topic')) as Resource[];
    expect(topic?.Properties.KmsMasterKeyId).toBeDefined();
    expect(topic?.Properties.TopicName).toBeUndefined();
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    // CloudWatch must be able to use the topic's key, or alarms never arrive.
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
  });

  it('builds one dashboard without a fixed name', () => {
    const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard')) as Resource[];
    expect(dashboards).toHaveLength(1);
    expect(dashboards[0]?.Properties.DashboardName).toBeUndefined();
    const body = JSON.stringify(dashboards[0]?.Properties.DashboardBody);
    for (const title of [
      'Requests by outcome',
      'Workflow executions',
      'Lambda errors',
      'API latency',
      'DynamoDB',
    ])
      expect(body).toContain(title);
  });

  it('sends every alarm to a topic the caller brings, and creates none', () => {
    const scope = new Stack(new App({ context: inProcessSynthContext() }), 'OwnTopic');
    const topic = sns.Topic.fromTopicArn(scope, 'Ops', 'arn:aws:sns:eu-west-1:111122223333:ops');
    const approval = new StepUpApproval(scope, 'StepUp', { config, alarmTopic: topic });
    expect(approval.operations.alarmTopic).toBe(topic);
    const own = Template.fromStack(scope);
    own.resourceCountIs('AWS::SNS::Topic', 0);
    for (const alarm of Object.values(own.findResources('AWS::CloudWatch::Alarm')) as Resource[])
      expect(alarm.Properties.AlarmActions).toEqual([topic.topicArn]);
  });
});
