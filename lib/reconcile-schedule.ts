import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

/** How often the reconciler runs. */
export const RECONCILE_EVERY = Duration.minutes(1);

/**
 * How long one reconciler run may take: it carries unfinished kill switch runs on until shortly
 * before this (`lambdas/handlers/reconcile.ts`), so a kill switch larger than one call finishes
 * within minutes. Not longer than the period, so runs rarely overlap.
 */
export const RECONCILE_TIMEOUT = Duration.seconds(60);

/**
 * Runs the reconciler function on a schedule. A run that fails is not retried by EventBridge: the
 * next run, a minute later, does the same work (every step it takes is idempotent), and the
 * function's error alarm reports the failure.
 */
export class ReconcileSchedule extends Construct {
  /** The schedule rule. */
  public readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: { readonly reconciler: lambda.IFunction }) {
    super(scope, id);
    this.rule = new events.Rule(this, 'Rule', {
      description:
        'stepup: complete approval decisions the workflow did not carry through, and kill switch runs',
      schedule: events.Schedule.rate(RECONCILE_EVERY),
      targets: [new targets.LambdaFunction(props.reconciler, { retryAttempts: 0 })],
    });
  }
}
