import type { ElevationOptions } from '../../lambdas/domain/policy/elevation-options';

// The answer's shape is the server's own (declared once, in the domain).
export type {
  ActionOption,
  AudienceOption,
  ElevationOptions,
} from '../../lambdas/domain/policy/elevation-options';

/** The answer as {@link ElevationOptions}, or undefined when it is not shaped like one. */
export function parseElevationOptions(body: Record<string, unknown>): ElevationOptions | undefined {
  const { agent, actions, audiences } = body;
  if (typeof agent !== 'string' || !Array.isArray(actions) || !Array.isArray(audiences)) return undefined;
  const named = (list: unknown[], key: string) =>
    list.every((item) => typeof (item as Record<string, unknown> | null)?.[key] === 'string');
  if (!named(actions, 'action') || !named(audiences, 'audience')) return undefined;
  return body as unknown as ElevationOptions;
}
