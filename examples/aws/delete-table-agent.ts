/**
 * An agent that deletes one DynamoDB table, but only with a human's approval and only with AWS
 * credentials that can do exactly that: it asks stepup for `dynamodb:DeleteTable` on the table's ARN,
 * waits while a human approves in Slack, exchanges the single-use token for AWS credentials, and
 * deletes the table with the AWS SDK using exactly those credentials.
 *
 *   STEPUP_CONFIG=examples/aws/stepup.config.json npm start     # terminal 1
 *   npm run example:aws                                          # terminal 2
 *
 * Environment: STEPUP_URL (default http://127.0.0.1:3000), STEPUP_TOKEN (the agent's workload JWT;
 * against the local runtime it is minted for `aws-example-agent` when unset), DYNAMODB_ENDPOINT (a
 * DynamoDB-compatible endpoint to create and delete the table on; unset: the example starts its own
 * dynalite and shows which access key signed each call).
 */
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  waitUntilTableNotExists,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { StepUpClient } from '../../client/agent';
import { printHowToApprove, reportNoToken, run, stepupUrl, workloadToken } from '../example-support';

/** The audience `examples/aws/stepup.config.json` maps to an AWS role (`awsTargets`). */
const AUDIENCE = 'aws:example-tables';
/** Who set the table up: an administrator's credentials, not the agent's. */
const SETUP_CREDENTIALS = { accessKeyId: 'AKIAEXAMPLESETUP0000', secretAccessKey: 'example-setup-secret' };

/** The access key id a SigV4 `Authorization` header names (what CloudTrail records as `accessKeyId`). */
function signingKey(authorization: string | undefined): string {
  return /Credential=([^/]+)\//.exec(authorization ?? '')?.[1] ?? '(unsigned)';
}

/** DYNAMODB_ENDPOINT, or a dynalite of our own that prints which key signed each call. */
async function dynamoDbEndpoint(): Promise<{ endpoint: string; close: () => void }> {
  if (process.env.DYNAMODB_ENDPOINT) return { endpoint: process.env.DYNAMODB_ENDPOINT, close: () => {} };
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0 });
  server.prependListener('request', (request) => {
    const operation = String(request.headers['x-amz-target'] ?? '').split('.')[1];
    console.log(
      `  dynalite: ${operation} signed with access key ${signingKey(request.headers.authorization)}`,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => server.close(),
  };
}

async function main(): Promise<number> {
  const dynamo = await dynamoDbEndpoint();
  try {
    // 0. An administrator creates the table the agent will later be asked to remove.
    const setup = new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: 'us-east-1',
      credentials: SETUP_CREDENTIALS,
    });
    const tableName = `orders-legacy-${randomBytes(3).toString('hex')}`;
    const created = await setup.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    const tableArn = created.TableDescription?.TableArn;
    if (!tableArn) throw new Error('CreateTable answered without a TableArn');
    console.log(`created table ${tableName} (${tableArn})`);

    // 1. Ask for exactly one IAM action on exactly one ARN, at the AWS target.
    const stepup = new StepUpClient({ baseUrl: stepupUrl, token: await workloadToken('aws-example-agent') });
    const request = await stepup.requestElevation({
      action: 'dynamodb:DeleteTable',
      resource: tableArn,
      audience: AUDIENCE,
      justification: `The orders migration finished; ${tableName} is no longer read or written.`,
    });
    console.log(`requested ${request.id} (binding code ${request.bindingCode})`);
    printHowToApprove(request);

    // 2. Wait for the humans.
    let token;
    try {
      token = await request.waitForToken();
    } catch (error) {
      reportNoToken(error, 'deleting the table');
      return 1;
    }

    // 3. Exchange the token, once, for credentials that can make exactly the approved call.
    const credentials = await stepup.exchangeForAwsCredentials(token);
    console.log(
      `exchanged the token for AWS credentials ${credentials.accessKeyId} ` +
        `(region ${credentials.region}, expire ${credentials.expiration.toISOString()})`,
    );

    // 4. The call itself, signed with exactly those credentials.
    const agentDynamo = new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: credentials.region,
      credentials,
    });
    await agentDynamo.send(new DeleteTableCommand({ TableName: tableName }));
    console.log(`deleted table ${tableName} with access key ${credentials.accessKeyId}`);

    // DeleteTable is asynchronous (the table is DELETING first): wait until it is gone, as one must
    // against DynamoDB itself, rather than look once.
    const gone = await waitUntilTableNotExists(
      { client: setup, minDelay: 1, maxDelay: 2, maxWaitTime: 60 },
      { TableName: tableName },
    ).then(
      () => true,
      // Still there when the wait ran out (the waiter throws then).
      () => false,
    );
    const issued = (await stepup.getStatus(request.id)).events.find((e) => e.type === 'credentials_issued');
    console.log(`table ${tableName} ${gone ? 'no longer exists' : 'still exists'}`);
    console.log(`audit trail of ${request.id}: credentials_issued ${JSON.stringify(issued?.detail)}`);
    setup.destroy();
    agentDynamo.destroy();
    return gone ? 0 : 1;
  } finally {
    dynamo.close();
  }
}

run(main);
