import { Duration } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { StepUpFunctionName } from './handlers';
import { buildAlarmTopic } from './alarm-topic';
import { buildOperationsDashboard } from './operations-dashboard';
import { stepUpMetric, tableSystemErrors } from './stepup-metrics';

/** Properties of {@link StepUpOperations}. */
export interface StepUpOperationsProps {
  /** Every stepup function, by name: each gets an error and a throttle alarm. */
  readonly functions: Readonly<Record<StepUpFunctionName, lambda.IFunction>>;
  /** The approval workflow. */
  readonly stateMachine: sfn.IStateMachine;
  /** The HTTP API. */
  readonly httpApi: apigw.IHttpApi;
  /** The requests table. */
  readonly table: dynamodb.ITable;
  /**
   * Where every alarm (and its return to OK) is sent.
   * @default - a new topic, KMS-encrypted and TLS-only (`buildAlarmTopic`)
   */
  readonly alarmTopic?: sns.ITopic;
}

/** The five-minute sums every alarm here judges. */
const PERIOD = Duration.minutes(5);

/**
 * stepup's alarms and dashboard. Every alarm counts something that went wrong, fires on the first
 * occurrence in a five-minute period, and treats missing data as not breaching: these metrics are
 * only reported while there is traffic (or, for stepup's own, only when the bad thing happens), so
 * silence means nothing went wrong. The README's "Operating stepup" says what to do for each.
 */
export class StepUpOperations extends Construct {
  /** The topic every alarm notifies (the `alarmTopic` prop, or one this construct created). */
  public readonly alarmTopic: sns.ITopic;
  /** Every alarm, by a stable name (`LambdaErrors.<function>`, `WorkflowFailed`, …). */
  public readonly alarms: Readonly<Record<string, cloudwatch.Alarm>>;
  /** Requests by outcome, executions, functions, API and table on one page. */
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: StepUpOperationsProps) {
    super(scope, id);
    this.alarmTopic = props.alarmTopic ?? buildAlarmTopic(this, 'AlarmTopic');
    const action = new SnsAction(this.alarmTopic);
    const alarms: Record<string, cloudwatch.Alarm> = {};
    const alarm = (name: string, metric: cloudwatch.IMetric, description: string) => {
      const created = new cloudwatch.Alarm(this, name.replace('.', ''), {
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: `stepup: ${description} See "Operating stepup" in the README.`,
      });
      created.addAlarmAction(action);
      created.addOkAction(action);
      alarms[name] = created;
    };
    const sum = { period: PERIOD, statistic: cloudwatch.Stats.SUM };

    const { stateMachine } = props;
    alarm('WorkflowFailed', stateMachine.metricFailed(sum), 'an approval workflow execution failed.');
    alarm('WorkflowTimedOut', stateMachine.metricTimedOut(sum), 'an approval workflow hit its 7-day cap.');
    alarm(
      'WorkflowAborted',
      // Cancel and the kill switch stop executions on purpose, and count RequestCancelled when they do;
      // only executions stopped beyond those are unexplained.
      new cloudwatch.MathExpression({
        expression: 'MAX([0, FILL(aborted, 0) - FILL(cancelled, 0)])',
        usingMetrics: {
          aborted: stateMachine.metricAborted(sum),
          cancelled: stepUpMetric('RequestCancelled'),
        },
        period: PERIOD,
        label: 'executions aborted beyond cancellations',
      }),
      'an approval workflow execution was stopped by something other than cancel or the kill switch.',
    );

    for (const [name, fn] of Object.entries(props.functions)) {
      alarm(`LambdaErrors.${name}`, fn.metricErrors(sum), `the ${name} function failed (error or timeout).`);
      alarm(`LambdaThrottles.${name}`, fn.metricThrottles(sum), `the ${name} function was throttled.`);
    }

    alarm('Api5xx', props.httpApi.metricServerError(sum), 'the API answered 5xx.');

    const { table } = props;
    alarm('TableReadThrottles', table.metric('ReadThrottleEvents', sum), 'DynamoDB throttled reads.');
    alarm('TableWriteThrottles', table.metric('WriteThrottleEvents', sum), 'DynamoDB throttled writes.');
    alarm('TableSystemErrors', tableSystemErrors(table), 'DynamoDB answered with internal errors.');

    alarm(
      'SigningFailed',
      stepUpMetric('SigningFailed'),
      'KMS did not sign a token; approved agents get no token.',
    );
    alarm(
      'SlackPlaceholderSecret',
      stepUpMetric('SlackPlaceholderSecret'),
      'the Slack secret still holds the placeholder bot token; nobody can be paged.',
    );
    alarm('SlackCallFailed', stepUpMetric('SlackCallFailed'), 'a Slack Web API call failed after retries.');
    alarm(
      'OwnerNoticeFailed',
      stepUpMetric('OwnerNoticeFailed'),
      'an agent owner was not told of a denial, an expiry or a kill switch (notices are never re-sent).',
    );
    alarm(
      'RequestReconciled',
      stepUpMetric('RequestReconciled'),
      'the reconciler completed a decision the workflow had not carried through (its hand-over was lost).',
    );

    this.alarms = alarms;
    this.dashboard = buildOperationsDashboard(this, 'Dashboard', { ...props, alarms: Object.values(alarms) });
  }
}
