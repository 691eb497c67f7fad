import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { accessDenied, AwsError } from '../../../local/aws/aws-error';
import type { CallLog } from './call-log';
import type { IamEvaluator, PolicyDocument } from './iam';
import type { Principals, RoleCredentials } from './principals';
import { receivedRequest, verifySigV4, type SignedRequest } from '../../../local/aws/sigv4';

/** What every stand-in shares: who may call, how IAM decides, where calls are recorded. */
export interface AccountServices {
  readonly region: string;
  readonly principals: Principals;
  readonly iam: IamEvaluator;
  readonly callLog: CallLog;
}

/** One authenticated call, handed to a stand-in's operation. */
export interface ServiceCall {
  /** The operation, e.g. `PutItem` (from `X-Amz-Target`). */
  readonly operation: string;
  /** The parsed JSON body. */
  readonly input: Readonly<Record<string, unknown>>;
  readonly principal: RoleCredentials;
  /** The request as received (a proxy forwards it). */
  readonly request: SignedRequest;
  /**
   * Authorizes `<prefix>:<operation>` (or `action`) on `resource` with IAM and records the call;
   * every operation calls it once before acting.
   * @throws AwsError `AccessDeniedException` worded as AWS words it.
   */
  authorize(
    resource: string,
    options?: { readonly resourcePolicy?: PolicyDocument; readonly action?: string },
  ): Promise<void>;
}

/** A raw answer, for a proxy that passes a backend's answer through. */
export interface RawAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/** How one AWS JSON-protocol service is spoken. */
export interface JsonServiceDefinition {
  /** SigV4 signing name, e.g. `dynamodb`, `states`. */
  readonly signingName: string;
  /** IAM action prefix, e.g. `dynamodb`, `states`. */
  readonly iamPrefix: string;
  /** `X-Amz-Target` prefix, e.g. `DynamoDB_20120810`, `TrentService`, `AWSStepFunctions`, `secretsmanager`. */
  readonly targetPrefix: string;
  /** `1.0` (DynamoDB, Step Functions) or `1.1` (KMS, Secrets Manager). */
  readonly jsonVersion: '1.0' | '1.1';
  /** Namespace some services put before `#` in `__type`. @default none */
  readonly errorTypeNamespace?: string;
  /** Answers one authenticated call: a JSON body, or a raw answer to pass through. */
  readonly handle: (call: ServiceCall) => Promise<Record<string, unknown> | RawAnswer>;
}

/** A running stand-in. */
export interface RunningService {
  /** `http://127.0.0.1:<port>`, for `AWS_ENDPOINT_URL_<SERVICE>`. */
  readonly endpoint: string;
  close(): Promise<void>;
}

function isRawAnswer(answer: Record<string, unknown> | RawAnswer): answer is RawAnswer {
  return Buffer.isBuffer((answer as RawAnswer).body) && typeof (answer as RawAnswer).status === 'number';
}

/**
 * Serves one AWS JSON-protocol service on `127.0.0.1:0`: every request is authenticated with SigV4,
 * dispatched by `X-Amz-Target`, authorized with IAM by the operation, recorded in the call log,
 * and answered (errors included) in the service's wire format.
 */
export async function startJsonService(
  definition: JsonServiceDefinition,
  services: AccountServices,
): Promise<RunningService> {
  const contentType = `application/x-amz-json-${definition.jsonVersion}`;

  const answer = (
    response: ServerResponse,
    status: number,
    body: Buffer | string,
    headers: Record<string, string> = {},
  ): void => {
    response.writeHead(status, { 'content-type': contentType, 'x-amzn-requestid': randomUUID(), ...headers });
    response.end(body);
  };
  const answerError = (response: ServerResponse, error: AwsError): void => {
    const type = `${definition.errorTypeNamespace ?? ''}${error.type}`;
    answer(response, error.status, JSON.stringify({ __type: type, message: error.message }), {
      'x-amzn-errortype': error.type,
    });
  };

  const serve = async (incoming: IncomingMessage, response: ServerResponse): Promise<void> => {
    const request = await receivedRequest(incoming);
    const target = String(incoming.headers['x-amz-target'] ?? '');
    const operation = target.startsWith(`${definition.targetPrefix}.`)
      ? target.slice(definition.targetPrefix.length + 1)
      : '';
    let logged:
      { principal: RoleCredentials; action: string; resource: string; allowed: boolean } | undefined;
    let principal: RoleCredentials | undefined;
    try {
      principal = verifySigV4(
        request,
        { service: definition.signingName, region: services.region },
        services.principals,
      );
      if (request.method !== 'POST' || !operation) throw new AwsError('UnknownOperationException', '');
      let input: Record<string, unknown>;
      try {
        input = JSON.parse(request.body.toString('utf8') || '{}') as Record<string, unknown>;
      } catch {
        throw new AwsError('SerializationException', 'Start of structure or map found where not expected.');
      }
      const caller = principal;
      const call: ServiceCall = {
        operation,
        input,
        principal: caller,
        request,
        authorize: async (resource, options = {}) => {
          const action = options.action ?? `${definition.iamPrefix}:${operation}`;
          const decision = await services.iam.authorize({
            principal: caller,
            action,
            resource,
            resourcePolicy: options.resourcePolicy,
          });
          logged = { principal: caller, action, resource, allowed: decision.allowed };
          if (!decision.allowed)
            throw accessDenied(caller.assumedRoleArn, action, resource, decision.explicitDeny);
        },
      };
      const result = await definition.handle(call);
      if (isRawAnswer(result)) {
        const errorType = result.headers['x-amzn-errortype']?.split(':')[0];
        record(logged, principal, operation, errorType);
        response.writeHead(result.status, result.headers);
        response.end(result.body);
      } else {
        record(logged, principal, operation);
        answer(response, 200, JSON.stringify(result));
      }
    } catch (error) {
      if (!(error instanceof AwsError)) throw error;
      record(logged, principal, operation, error.type);
      answerError(response, error);
    }
  };

  const record = (
    logged: { principal: RoleCredentials; action: string; resource: string; allowed: boolean } | undefined,
    principal: RoleCredentials | undefined,
    operation: string,
    errorType?: string,
  ): void => {
    services.callLog.record({
      principal: principal?.assumedRoleArn ?? 'unauthenticated',
      roleLogicalId: principal?.roleLogicalId,
      service: definition.iamPrefix,
      action: logged?.action ?? `${definition.iamPrefix}:${operation}`,
      resource: logged?.resource ?? '',
      // A call refused before IAM (bad signature, unknown key) counts as denied too.
      allowed: logged?.allowed ?? principal !== undefined,
      ...(errorType ? { errorType } : {}),
    });
  };

  const server: Server = createServer((incoming, response) => {
    serve(incoming, response).catch((error: unknown) => {
      // A stand-in bug, not an AWS answer: say so loudly instead of inventing a service error.
      console.error(`${definition.signingName} stand-in failed:`, error);
      if (!response.headersSent)
        answer(response, 500, JSON.stringify({ __type: 'InternalFailure', message: String(error) }), {
          'x-amzn-errortype': 'InternalFailure',
        });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
