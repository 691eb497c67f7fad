import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';

/**
 * The SNS topic stepup's alarms notify: encrypted with a customer managed key (CloudWatch cannot
 * publish to a topic under the AWS managed `aws/sns` key) that CloudWatch may use, and refusing
 * publishes that are not over TLS. Subscribe email, AWS Chatbot or a pager to it (see the README).
 */
export function buildAlarmTopic(scope: Construct, id: string): sns.Topic {
  const key = new kms.Key(scope, `${id}Key`, {
    description: 'stepup: encrypts the alarm topic',
    enableKeyRotation: true,
  });
  key.grant(new iam.ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
  return new sns.Topic(scope, id, { masterKey: key, enforceSSL: true });
}
