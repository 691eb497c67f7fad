import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import {
  METRICS_NAMESPACE,
  SERVICE_NAME,
  type OperationalMetric,
} from '../lambdas/ports/operational-metrics';

/**
 * One of the metrics the functions emit (`lambdas/ports/operational-metrics.ts`), as CloudWatch
 * stores it: Powertools adds the `service` dimension to every metric; `dimensions` adds the rest.
 */
export function stepUpMetric(
  name: OperationalMetric,
  dimensions: Readonly<Record<string, string>> = {},
  label?: string,
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: { service: SERVICE_NAME, ...dimensions },
    statistic: cloudwatch.Stats.SUM,
    period: Duration.minutes(5),
    label,
  });
}

/** DynamoDB `SystemErrors` summed over the operations the store uses (the metric exists per operation only). */
export function tableSystemErrors(table: dynamodb.ITable): cloudwatch.IMetric {
  return table.metricSystemErrorsForOperations({
    period: Duration.minutes(5),
    statistic: cloudwatch.Stats.SUM,
    operations: [
      dynamodb.Operation.GET_ITEM,
      dynamodb.Operation.PUT_ITEM,
      dynamodb.Operation.UPDATE_ITEM,
      dynamodb.Operation.QUERY,
    ],
  });
}
