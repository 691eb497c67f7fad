import { publishMetrics } from './emf-metrics';
import { traceInvocation } from './tracing';

/**
 * Wraps a handler whose dependencies (SDK clients, secrets) are built once per container, on the
 * first invocation. Keeping construction out of module evaluation lets the local runtime import the
 * same handler modules with its own adapters. Every invocation is traced (`traceInvocation`) and
 * publishes the metrics it counted when it ends, also when it fails.
 */
export function lazyHandler<E, R>(
  init: () => Promise<(event: E) => Promise<R>> | ((event: E) => Promise<R>),
) {
  let ready: Promise<(event: E) => Promise<R>> | undefined;
  return (event: E): Promise<R> =>
    traceInvocation(event, async () => {
      try {
        ready ??= Promise.resolve(init()).catch((error: unknown) => {
          ready = undefined;
          throw error;
        });
        return await (
          await ready
        )(event);
      } finally {
        publishMetrics();
      }
    });
}
