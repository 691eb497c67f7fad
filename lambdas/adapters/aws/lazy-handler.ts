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
  const ready = onceUnlessFailed(init);
  return (event: E, context?: C): Promise<R> =>
    traceInvocation(event, async () => {
      try {
        return await (
          await ready()
        )(event, context);
      } finally {
        publishMetrics();
      }
    });
}

/**
 * `build`, run on the first call and its result shared by every later call, unless it fails: a
 * failed build is not kept, so the next call tries again (a container is not left broken by one
 * transient failure at set-up).
 */
export function onceUnlessFailed<T>(build: () => Promise<T> | T): () => Promise<T> {
  let built: Promise<T> | undefined;
  return () =>
    (built ??= Promise.resolve()
      .then(build)
      .catch((error: unknown) => {
        built = undefined;
        throw error;
      }));
}
