import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { StepUpConfig } from '../../domain/config';
import { parseConfig } from '../../domain/config';
import type { RequestStore } from '../../ports/request-store';
import { requireEnv } from '../env';
import { DynamoDbIdempotencyStore } from './dynamodb-idempotency-store';
import { DynamoDbRequestStore } from './dynamodb-request-store';
import { KmsSigner } from './kms-signer';
import { StepFunctionsTaskResponder, StepFunctionsWorkflow } from './sfn-workflow';

/** The request store on the table named by `TABLE_NAME`. */
export function tableStore(): RequestStore {
  return new DynamoDbRequestStore(new DynamoDBClient({}), requireEnv('TABLE_NAME'));
}

/** Idempotency keys, in the table named by `TABLE_NAME`. */
export function idempotencyStore(): DynamoDbIdempotencyStore {
  return new DynamoDbIdempotencyStore(new DynamoDBClient({}), requireEnv('TABLE_NAME'));
}

/** The workflow on the state machine named by `STATE_MACHINE_ARN`. */
export function stateMachineWorkflow(): StepFunctionsWorkflow {
  return new StepFunctionsWorkflow(new SFNClient({}), requireEnv('STATE_MACHINE_ARN'));
}

/** Resumes waiting workflow tasks (the Slack function's only Step Functions permission). */
export function taskResponder(): StepFunctionsTaskResponder {
  return new StepFunctionsTaskResponder(new SFNClient({}));
}

/** The KMS signer for the key in `SIGNING_KEY_ID`, also publishing `RETIRED_SIGNING_KEY_IDS` (comma-separated). */
export function kmsSigner(): KmsSigner {
  const retired = (process.env.RETIRED_SIGNING_KEY_IDS ?? '').split(',').filter(Boolean);
  return new KmsSigner(new KMSClient({}), requireEnv('SIGNING_KEY_ID'), retired);
}

/** The config the construct serialised into `STEPUP_CONFIG_JSON`. */
export function envConfig(): StepUpConfig {
  return parseConfig(JSON.parse(requireEnv('STEPUP_CONFIG_JSON')));
}
