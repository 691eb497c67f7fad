import { Duration } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import type { PolicyOutcome } from '../lambdas/domain/requests/approval-request';
import { POLICY_OUTCOME_DIMENSION } from '../lambdas/ports/operational-metrics';
import { stepUpMetric, tableSystemErrors } from './stepup-metrics';

/** What {@link buildOperationsDashboard} shows. */
export interface OperationsDashboardProps {
  readonly functions: Readonly<Record<string, lambda.IFunction>>;
  readonly stateMachine: sfn.IStateMachine;
  readonly httpApi: apigw.IHttpApi;
  readonly table: dynamodb.ITable;
  readonly alarms: readonly cloudwatch.IAlarm[];
}

/** The graph label of each `RequestCreated{policyOutcome}` (a Record, so a new outcome must be named here). */
const CREATED_LABELS: Record<PolicyOutcome, string> = {
  auto_approve: 'created: auto-approved',
  step_up: 'created: step-up',
  deny: 'created: denied by policy',
};

const FIVE_MINUTES = { period: Duration.minutes(5) };
const WIDE = 12;
const HEIGHT = 6;

function graph(title: string, left: cloudwatch.IMetric[], right: cloudwatch.IMetric[] = []) {
  return new cloudwatch.GraphWidget({ title, left, right, width: WIDE, height: HEIGHT });
}

/**
 * The operator's page: requests by outcome, tokens, executions, stepup's own failure counters,
 * Lambda errors and p99 duration per function, API traffic and latency, DynamoDB throttling, and the
 * state of every alarm. No fixed name, so the stack stays redeployable after a rollback.
 */
export function buildOperationsDashboard(
  scope: Construct,
  id: string,
  props: OperationsDashboardProps,
): cloudwatch.Dashboard {
  const { stateMachine, httpApi, table } = props;
  const functions = Object.entries(props.functions);
  const created = (Object.entries(CREATED_LABELS) as [PolicyOutcome, string][]).map(([outcome, label]) =>
    stepUpMetric('RequestCreated', { [POLICY_OUTCOME_DIMENSION]: outcome }, label),
  );
  const dashboard = new cloudwatch.Dashboard(scope, id, { defaultInterval: Duration.days(1) });
  dashboard.addWidgets(
    graph('Requests by outcome', [
      ...created,
      ...(
        ['RequestApproved', 'RequestDenied', 'RequestExpired', 'RequestCancelled', 'RequestFailed'] as const
      ).map((name) => stepUpMetric(name)),
    ]),
    graph(
      'Tokens',
      (['TokenDelivered', 'TokenConsumed', 'TokenRevoked', 'KillSwitch', 'KillSwitchCompleted'] as const).map(
        (name) => stepUpMetric(name),
      ),
    ),
  );
  dashboard.addWidgets(
    graph('Workflow executions', [
      stateMachine.metricStarted(FIVE_MINUTES),
      stateMachine.metricSucceeded(FIVE_MINUTES),
      stateMachine.metricFailed(FIVE_MINUTES),
      stateMachine.metricTimedOut(FIVE_MINUTES),
      stateMachine.metricAborted(FIVE_MINUTES),
    ]),
    graph(
      'Slack and signing failures',
      (['SlackCallFailed', 'SlackPlaceholderSecret', 'SigningFailed'] as const).map((name) =>
        stepUpMetric(name),
      ),
    ),
  );
  dashboard.addWidgets(
    graph(
      'Lambda errors',
      functions.map(([name, fn]) => fn.metricErrors({ ...FIVE_MINUTES, label: name })),
    ),
    graph(
      'Lambda duration p99',
      functions.map(([name, fn]) => fn.metricDuration({ ...FIVE_MINUTES, statistic: 'p99', label: name })),
    ),
  );
  dashboard.addWidgets(
    graph('API requests', [
      httpApi.metricCount(FIVE_MINUTES),
      httpApi.metricClientError(FIVE_MINUTES),
      httpApi.metricServerError(FIVE_MINUTES),
    ]),
    graph('API latency', [
      httpApi.metricLatency({ ...FIVE_MINUTES, statistic: 'p50', label: 'p50' }),
      httpApi.metricLatency({ ...FIVE_MINUTES, statistic: 'p99', label: 'p99' }),
    ]),
  );
  dashboard.addWidgets(
    graph('DynamoDB throttles and errors', [
      table.metric('ReadThrottleEvents', { ...FIVE_MINUTES, statistic: 'Sum' }),
      table.metric('WriteThrottleEvents', { ...FIVE_MINUTES, statistic: 'Sum' }),
      tableSystemErrors(table),
    ]),
    new cloudwatch.AlarmStatusWidget({
      title: 'Alarms',
      alarms: [...props.alarms],
      width: WIDE,
      height: HEIGHT,
    }),
  );
  return dashboard;
}
