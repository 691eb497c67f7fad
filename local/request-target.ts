/** The path and query of a request, from its origin-form target (`/path?query`). */
export interface RequestTarget {
  readonly path: string;
  /** The query string without `?`. */
  readonly query: string;
  readonly searchParams: URLSearchParams;
}

/**
 * Parses a request target as API Gateway routes it. Only origin-form (`/…`) is served: a browser or
 * client talking to this server sends nothing else, and an absolute-form target (`http://other/…`)
 * would name another authority than the `Host` header that was checked.
 * @returns undefined for a target that is not a path or does not parse (e.g. `//[`)
 */
export function parseRequestTarget(target: string | undefined): RequestTarget | undefined {
  if (!target?.startsWith('/')) return undefined;
  try {
    // Appended to a fixed origin rather than resolved against it, so `//host/…` stays a path.
    const url = new URL(`http://origin.invalid${target}`);
    return { path: url.pathname, query: url.search.slice(1), searchParams: url.searchParams };
  } catch {
    return undefined;
  }
}
