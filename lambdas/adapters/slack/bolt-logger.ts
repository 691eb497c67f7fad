import { LogLevel, type Logger as SlackLogger } from '@slack/logger';
import { logger } from '../logger';

/** Bolt's logging routed into the service's structured JSON logger (warnings and errors only). */
export function boltLogger(): SlackLogger {
  const text = (parts: unknown[]) => parts.map(String).join(' ');
  return {
    debug: () => undefined,
    info: () => undefined,
    warn: (...parts: unknown[]) => logger.warn(text(parts), { source: 'bolt' }),
    error: (...parts: unknown[]) => logger.error(text(parts), { source: 'bolt' }),
    setLevel: () => undefined,
    getLevel: () => LogLevel.WARN,
    setName: () => undefined,
  };
}
