import { Duration } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** Properties of {@link StepUpApi}. */
export interface StepUpApiProps {
  /** Retention of the access log group. */
  readonly logRetention: logs.RetentionDays;
  /**
   * Stage-wide throttling.
   * @default 20 requests/s steady, bursts of 50
   */
  readonly throttle?: apigw.ThrottleSettings;
}

/** Options for {@link StepUpApi.addRoute}. */
export interface StepUpRouteOptions {
  /**
   * Skip the JWT authorizer. Only for routes that are public by design or authenticate
   * themselves (Slack signs its requests).
   * @default false
   */
  readonly public?: boolean;
}

// One JSON line per request. Deliberately no headers: Authorization carries bearer tokens.
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    requestTime: '$context.requestTime',
    ip: '$context.identity.sourceIp',
    userAgent: '$context.identity.userAgent',
    routeKey: '$context.routeKey',
    status: '$context.status',
    responseLength: '$context.responseLength',
    latencyMs: '$context.responseLatency',
    integrationLatencyMs: '$context.integrationLatency',
    integrationError: '$context.integrationErrorMessage',
    agent: '$context.authorizer.sub',
    authorizerError: '$context.authorizer.error',
  }),
);

/**
 * The HTTP API: a `$default` stage with throttling and JSON access logs, and the workload Lambda
 * authorizer ({@link StepUpApi.authorizeWith}) on every route added without `public`, so a route added
 * later is authenticated unless it opts out.
 */
export class StepUpApi extends Construct {
  /** The HTTP API. */
  public readonly httpApi: apigw.HttpApi;
  /** The `$default` stage (auto-deployed). */
  public readonly stage: apigw.HttpStage;
  /** The workload-identity Lambda authorizer, once {@link StepUpApi.authorizeWith} set it. */
  public authorizer?: HttpLambdaAuthorizer;
  /** Access log group of the stage. */
  public readonly accessLogGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: StepUpApiProps) {
    super(scope, id);
    this.httpApi = new apigw.HttpApi(this, 'HttpApi', {
      description: 'stepup: step-up approval for AI agents',
      // The generated default stage cannot take throttling or access logs; ours below can.
      createDefaultStage: false,
    });
    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', { retention: props.logRetention });
    this.stage = this.httpApi.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle ?? { rateLimit: 20, burstLimit: 50 },
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(this.accessLogGroup),
        format: ACCESS_LOG_FORMAT,
      },
    });
  }

  /** Base URL of the API (`https://{id}.execute-api.{region}.amazonaws.com`, no trailing slash). */
  public get url(): string {
    return this.httpApi.apiEndpoint;
  }

  /**
   * Puts `verifier` (the `workloadAuthorizer` function) in front of every non-public route: a Lambda
   * authorizer with simple responses, because the config may trust several issuers, each with its own
   * audiences, which one JWT authorizer cannot express (docs/architecture.md, Workload identity).
   * Results are not cached: a cached allow would outlive the token's `exp`, and the function keeps
   * the issuers' keys in memory, so a warm call is one signature check.
   */
  public authorizeWith(verifier: lambda.IFunction): void {
    this.authorizer = new HttpLambdaAuthorizer('WorkloadAuthorizer', verifier, {
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      identitySource: ['$request.header.Authorization'],
      resultsCacheTtl: Duration.seconds(0),
    });
  }

  /** Routes `method path` to a Lambda function (payload format 2.0). */
  public addRoute(
    method: apigw.HttpMethod,
    path: string,
    handler: lambda.IFunction,
    options: StepUpRouteOptions = {},
  ): apigw.HttpRoute {
    const [route] = this.httpApi.addRoutes({
      path,
      methods: [method],
      integration: new HttpLambdaIntegration(`${handler.node.id}Integration`, handler),
      authorizer: options.public ? new apigw.HttpNoneAuthorizer() : this.requireAuthorizer(),
    });
    if (!route) throw new Error(`no route created for ${method} ${path}`);
    return route;
  }

  private requireAuthorizer(): HttpLambdaAuthorizer {
    if (!this.authorizer)
      throw new Error('StepUpApi: call authorizeWith before adding an authenticated route');
    return this.authorizer;
  }
}
