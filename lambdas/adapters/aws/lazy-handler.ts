import type { Context } from 'aws-lambda';
import { publishMetrics } from './emf-metrics';
import { traceInvocation } from './tracing';

/**
 * Wraps a handler whose dependencies (SDK clients, secrets) are built once per container, on the
 * first invocation. Keeping construction out of module evaluation lets the local runtime import the
 * same handler modules with its own adapters. Every invocation is traced (`traceInvocation`) and
 * publishes the metrics it counted when it ends, also when it fails. The Lambda context is passed on
 * (a handler that works until shortly before its timeout reads the time left from it).
 */
export function lazyHandler<E, R, C = Context>(
  init: () => Promise<(event: E, context?: C) => Promise<R>> | ((event: E, context?: C) => Promise<R>),
) {
  let ready: Promise<(event: E, context?: C) => Promise<R>> | undefined;
  return (event: E, context?: C): Promise<R> =>
    traceInvocation(event, async () => {
      try {
        ready ??= Promise.resolve(init()).catch((error: unknown) => {
          ready = undefined;
          throw error;
        });
        return await (
          await ready
        )(event, context);
      } finally {
        publishMetrics();
      }
    });
}
