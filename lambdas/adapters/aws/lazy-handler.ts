/**
 * Wraps a handler whose dependencies (SDK clients, secrets) are built once per container, on the
 * first invocation. Keeping construction out of module evaluation lets the local runtime import the
 * same handler modules with its own adapters.
 */
export function lazyHandler<E, R>(
  init: () => Promise<(event: E) => Promise<R>> | ((event: E) => Promise<R>),
) {
  let ready: Promise<(event: E) => Promise<R>> | undefined;
  return async (event: E): Promise<R> => {
    ready ??= Promise.resolve(init()).catch((error: unknown) => {
      ready = undefined;
      throw error;
    });
    return (await ready)(event);
  };
}
