import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
import { ENV } from '../lambdas/adapters/env';
import { EXPORT_SOURCE } from '../lambdas/domain/audit/audit-export';

/** Properties of {@link AuditExport}. */
export interface AuditExportProps {
  /** The approval table, with its stream (`NEW_AND_OLD_IMAGES`). */
  readonly table: dynamodb.ITable;
  /** The `exportAudit` function. */
  readonly exporter: lambda.Function;
}

/**
 * The table's stream → the `exportAudit` function → the EventBridge bus `stepup`: one event per
 * audit event (source `stepup`, detail type `stepup.audit.<type>`, OCSF API Activity detail).
 *
 * A function rather than EventBridge Pipes: a stream record is one table write, which can carry
 * several audit events (a click appends `vote` and `approved`), and which are new is the difference
 * of the old and new images — Pipes maps one record to one event, so it would need this function as
 * its enrichment anyway, and a pipe, its role and its enrichment cost more moving parts than the
 * event source mapping alone.
 */
export class AuditExport extends Construct {
  /** The bus the audit events go to: add rules to it (a SIEM, S3 through Firehose, Security Lake). */
  public readonly bus: events.EventBus;

  constructor(scope: Construct, id: string, props: AuditExportProps) {
    super(scope, id);
    this.bus = new events.EventBus(this, 'Bus', {
      eventBusName: EXPORT_SOURCE,
      description: 'stepup audit events (source stepup, detail-type stepup.audit.<type>, OCSF API Activity)',
    });
    // The bus name with the one permission that makes it usable, on this bus only.
    props.exporter.addEnvironment(ENV.eventBusName, this.bus.eventBusName);
    this.bus.grantPutEventsTo(props.exporter);
    props.exporter.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        maxBatchingWindow: Duration.seconds(1),
        // A failing batch is split to isolate a bad record, retried, and given up after a day
        // (the stream keeps records 24 h); the function's error alarm reports it.
        bisectBatchOnError: true,
        retryAttempts: 20,
        maxRecordAge: Duration.hours(24),
      }),
    );
  }
}
