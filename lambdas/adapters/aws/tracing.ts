import { Tracer } from '@aws-lambda-powertools/tracer';
import { SERVICE_NAME } from '../../ports/operational-metrics';

/**
 * The container's X-Ray tracer. It switches itself off outside Lambda (the local runtime, tests), so
 * nothing there needs an X-Ray daemon. Outgoing HTTPS (the Slack Web API) is traced by its global
 * patch; AWS SDK clients are traced when wrapped by {@link traced}.
 */
export const tracer = new Tracer({ serviceName: SERVICE_NAME });

/** An AWS SDK v3 client whose calls become X-Ray subsegments (the client itself when tracing is off). */
export function traced<T>(client: T): T {
  return tracer.captureAWSv3Client(client);
}

/** The trace annotations an invocation's event allows: the request id and the calling agent. */
export function annotationsOf(event: unknown): Record<string, string> {
  const annotations: Record<string, string> = {};
  if (typeof event !== 'object' || event === null) return annotations;
  const {
    request_id: stepRequestId,
    pathParameters,
    requestContext,
  } = event as {
    request_id?: unknown;
    pathParameters?: { id?: unknown };
    requestContext?: { authorizer?: { jwt?: { claims?: { sub?: unknown } } } };
  };
  const requestId = stepRequestId ?? pathParameters?.id;
  const agent = requestContext?.authorizer?.jwt?.claims?.sub;
  if (typeof requestId === 'string') annotations.request_id = requestId;
  if (typeof agent === 'string') annotations.agent = agent;
  return annotations;
}

/**
 * Runs one invocation in a `## handler` subsegment annotated with the cold start, the service and
 * {@link annotationsOf} the event. Responses are deliberately not recorded: they carry access tokens.
 */
export async function traceInvocation<R>(event: unknown, invoke: () => Promise<R>): Promise<R> {
  const segment = tracer.isTracingEnabled() ? tracer.getSegment() : undefined;
  if (!segment) return invoke();
  const subsegment = segment.addNewSubsegment(`## ${process.env._HANDLER ?? 'handler'}`);
  tracer.setSegment(subsegment);
  try {
    tracer.annotateColdStart();
    tracer.addServiceNameAnnotation();
    for (const [key, value] of Object.entries(annotationsOf(event))) tracer.putAnnotation(key, value);
    return await invoke();
  } catch (error) {
    tracer.addErrorAsMetadata(error as Error);
    throw error;
  } finally {
    subsegment.close();
    tracer.setSegment(segment);
  }
}
