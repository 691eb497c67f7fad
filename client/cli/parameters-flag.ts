import { readFileSync } from 'node:fs';
import { UsageError } from './args';

/**
 * `--parameters JSON|@file`: the exact arguments the agent will send, as a JSON object given inline
 * or read from a file (`@orders-drop.json`). The approval is bound to them (`parameters_sha256`).
 * @throws UsageError for an unreadable file or anything but a JSON object
 */
export function parametersFlag(raw: string | undefined): Readonly<Record<string, unknown>> | undefined {
  if (raw === undefined) return undefined;
  let text = raw;
  if (raw.startsWith('@')) {
    try {
      text = readFileSync(raw.slice(1), 'utf8');
    } catch (error) {
      throw new UsageError(`--parameters: cannot read ${raw.slice(1)}: ${(error as Error).message}`);
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UsageError('--parameters takes a JSON object, or @file holding one: not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UsageError('--parameters takes a JSON object (the exact arguments), not another JSON value');
  }
  return value as Record<string, unknown>;
}
