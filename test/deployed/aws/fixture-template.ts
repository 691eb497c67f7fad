import type { CfnResource, CfnTemplate } from './cfn-template';

const arn = (logicalId: string): unknown => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });
const lambdaRole = {
  Type: 'AWS::IAM::Role',
  Properties: {
    AssumeRolePolicyDocument: {
      Statement: [
        { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
      ],
      Version: '2012-10-17',
    },
  },
};
const policy = (role: string, statements: unknown[]): CfnResource => ({
  Type: 'AWS::IAM::Policy',
  Properties: {
    PolicyDocument: { Statement: statements, Version: '2012-10-17' },
    PolicyName: `${role}Policy`,
    Roles: [{ Ref: role }],
  },
});
const fn = (role: string, asset: string): CfnResource => ({
  Type: 'AWS::Lambda::Function',
  Properties: {
    Handler: 'index.handler',
    Runtime: 'nodejs22.x',
    Role: arn(role),
    Environment: {
      Variables: {
        TABLE_NAME: { Ref: 'Table' },
        STATE_MACHINE_ARN: { Ref: 'Machine' },
        SECRET_ARN: { Ref: 'Secret' },
      },
    },
  },
  Metadata: { 'aws:asset:path': asset },
});

/** The machine's definition: one `.waitForTaskToken` Lambda task with a timeout from the input, then a plain Lambda task. */
export const FIXTURE_DEFINITION = {
  StartAt: 'Wait',
  States: {
    Wait: {
      Type: 'Task',
      Resource: 'arn:${AWS::Partition}:states:::lambda:invoke.waitForTaskToken',
      TimeoutSecondsPath: '$.timeout',
      Parameters: { FunctionName: '${Worker.Arn}', Payload: { 'token.$': '$$.Task.Token', 'id.$': '$.id' } },
      ResultPath: '$.answer',
      Catch: [{ ErrorEquals: ['States.Timeout'], ResultPath: '$.timedOut', Next: 'Finish' }],
      Next: 'Finish',
    },
    Finish: {
      Type: 'Task',
      Resource: '${Worker.Arn}',
      Retry: [{ ErrorEquals: ['States.TaskFailed'], IntervalSeconds: 30, MaxAttempts: 1 }],
      End: true,
    },
  },
};

/**
 * A small template shaped like CDK's output: a table with an index, a P-256 signing key whose key
 * policy delegates to IAM, a generated secret, a state machine calling a Lambda, and two roles
 * (`WriterRole` granted everything, `ReaderRole` only `GetItem`).
 */
/** A role outside the template that `Exchanger` may assume (the STS stand-in's target). */
export const FIXTURE_TARGET_ROLE_ARN = 'arn:aws:iam::123456789012:role/stepup-target';

export const FIXTURE_TEMPLATE: CfnTemplate = {
  Resources: {
    Table: {
      Type: 'AWS::DynamoDB::Table',
      Properties: {
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'agent', AttributeType: 'S' },
        ],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
        GlobalSecondaryIndexes: [
          {
            IndexName: 'byAgent',
            KeySchema: [{ AttributeName: 'agent', KeyType: 'HASH' }],
            Projection: { ProjectionType: 'KEYS_ONLY' },
          },
        ],
      },
    },
    Key: {
      Type: 'AWS::KMS::Key',
      Properties: {
        KeySpec: 'ECC_NIST_P256',
        KeyUsage: 'SIGN_VERIFY',
        KeyPolicy: {
          Statement: [
            {
              Action: 'kms:*',
              Effect: 'Allow',
              Principal: {
                AWS: {
                  'Fn::Join': [
                    '',
                    ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root'],
                  ],
                },
              },
              Resource: '*',
            },
          ],
          Version: '2012-10-17',
        },
      },
    },
    KeyAlias: {
      Type: 'AWS::KMS::Alias',
      Properties: { AliasName: 'alias/signing', TargetKeyId: arn('Key') },
    },
    Secret: {
      Type: 'AWS::SecretsManager::Secret',
      Properties: {
        GenerateSecretString: {
          SecretStringTemplate: '{"botToken":"xoxb-replace-me"}',
          GenerateStringKey: 'signingSecret',
          ExcludePunctuation: true,
          PasswordLength: 32,
        },
      },
    },
    WriterRole: lambdaRole,
    WriterPolicy: policy('WriterRole', [
      { Action: ['dynamodb:GetItem', 'dynamodb:PutItem'], Effect: 'Allow', Resource: arn('Table') },
      {
        Action: 'dynamodb:Query',
        Effect: 'Allow',
        Resource: { 'Fn::Join': ['', [arn('Table'), '/index/byAgent']] },
      },
      { Action: ['kms:Sign', 'kms:GetPublicKey'], Effect: 'Allow', Resource: arn('Key') },
      {
        Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        Effect: 'Allow',
        Resource: { Ref: 'Secret' },
      },
      { Action: 'states:StartExecution', Effect: 'Allow', Resource: { Ref: 'Machine' } },
      {
        Action: ['states:SendTaskSuccess', 'states:SendTaskFailure'],
        Effect: 'Allow',
        Resource: { Ref: 'Machine' },
      },
      {
        Action: ['states:DescribeExecution', 'states:StopExecution'],
        Effect: 'Allow',
        Resource: {
          'Fn::Sub':
            'arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:execution:${Machine.Name}:*',
        },
      },
    ]),
    ExchangerRole: lambdaRole,
    ExchangerPolicy: policy('ExchangerRole', [
      {
        Action: ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession'],
        Effect: 'Allow',
        Resource: FIXTURE_TARGET_ROLE_ARN,
      },
    ]),
    Exchanger: fn('ExchangerRole', 'asset.exchanger'),
    ReaderRole: lambdaRole,
    ReaderPolicy: policy('ReaderRole', [
      { Action: 'dynamodb:GetItem', Effect: 'Allow', Resource: arn('Table') },
    ]),
    Worker: fn('WriterRole', 'asset.worker'),
    Reader: fn('ReaderRole', 'asset.reader'),
    MachineRole: {
      Type: 'AWS::IAM::Role',
      Properties: {
        AssumeRolePolicyDocument: {
          Statement: [
            { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'states.amazonaws.com' } },
          ],
          Version: '2012-10-17',
        },
      },
    },
    MachinePolicy: policy('MachineRole', [
      {
        Action: 'lambda:InvokeFunction',
        Effect: 'Allow',
        Resource: [arn('Worker'), { 'Fn::Join': ['', [arn('Worker'), ':*']] }],
      },
    ]),
    Machine: {
      Type: 'AWS::StepFunctions::StateMachine',
      Properties: {
        DefinitionString: { 'Fn::Sub': JSON.stringify(FIXTURE_DEFINITION) },
        RoleArn: arn('MachineRole'),
      },
    },
  },
};
