import { FakeAccount, type FakeAccountOptions } from './account';
import { CallLog } from './call-log';
import type { CfnTemplate } from './cfn-template';
import { startDynamoDb, type RunningDynamoDb } from './dynamodb';
import { IamEvaluator } from './iam';
import { startKms } from './kms';
import { startEventBridge, type RunningEventBridge } from './eventbridge';
import { Principals } from './principals';
import { startSecretsManager, type RunningSecretsManager } from './secrets-manager';
import { startStepFunctions, type RunningStepFunctions, type StepFunctionsOptions } from './step-functions';
import type { RunningStsStandIn } from '../../../local/aws/sts-stand-in';
import { startSts, type TargetRole } from './sts';

/** Options for {@link startAccount}. */
export interface StartAccountOptions extends FakeAccountOptions, StepFunctionsOptions {
  /** Roles outside the stack that STS issues sessions of (with their trust policies). @default none */
  readonly targetRoles?: (account: FakeAccount) => readonly TargetRole[];
}

/** The account's stand-ins, running. */
export interface RunningAccount {
  readonly account: FakeAccount;
  readonly principals: Principals;
  readonly callLog: CallLog;
  /** Endpoint URL by service, keyed as in `AWS_ENDPOINT_URL_<key>` (what the SDK in a bundle reads). */
  readonly endpoints: {
    readonly DYNAMODB: string;
    readonly KMS: string;
    readonly SECRETS_MANAGER: string;
    readonly SFN: string;
    readonly STS: string;
    readonly EVENTBRIDGE: string;
  };
  readonly dynamodb: RunningDynamoDb;
  readonly secretsManager: RunningSecretsManager;
  readonly stepFunctions: RunningStepFunctions;
  readonly sts: RunningStsStandIn;
  readonly eventBridge: RunningEventBridge;
  close(): Promise<void>;
}

/** Starts every stand-in for a fresh deploy of `template`, sharing one account, IAM and call log. */
export async function startAccount(
  template: CfnTemplate,
  options: StartAccountOptions,
): Promise<RunningAccount> {
  const account = FakeAccount.fromTemplate(template, options);
  const principals = new Principals(account);
  const callLog = new CallLog();
  const services = { region: account.env.region, principals, iam: new IamEvaluator(account), callLog };
  const [dynamodb, kms, secretsManager, stepFunctions, sts, eventBridge] = await Promise.all([
    startDynamoDb(account, services),
    startKms(account, services),
    startSecretsManager(account, services),
    startStepFunctions(account, services, options),
    startSts(services, options.targetRoles?.(account) ?? []),
    startEventBridge(account, services),
  ]);
  return {
    account,
    principals,
    callLog,
    endpoints: {
      DYNAMODB: dynamodb.endpoint,
      KMS: kms.endpoint,
      SECRETS_MANAGER: secretsManager.endpoint,
      SFN: stepFunctions.endpoint,
      STS: sts.endpoint,
      EVENTBRIDGE: eventBridge.endpoint,
    },
    dynamodb,
    secretsManager,
    stepFunctions,
    sts,
    eventBridge,
    close: async () => {
      await Promise.all([
        stepFunctions.close(),
        dynamodb.close(),
        kms.close(),
        secretsManager.close(),
        sts.close(),
        eventBridge.close(),
      ]);
    },
  };
}
