import { verifyAuditTrail } from '../../lambdas/domain/audit/audit-chain';
import { onePositional, parseCommandLine } from './args';
import type { AgentContext } from './agent-commands';
import { clientFor, connection, CONNECTION_OPTIONS } from './connection';
import { EXIT } from './exit-codes';
import { auditEventsCommand } from './audit-events-command';
import type { Output } from './policy-command';

export const AUDIT_USAGE = `usage:
  stepup audit [--agent SUB] [--action A] [--resource R] [--since T] [--until T] [--json] [--follow]
  stepup audit verify ID

audit         every agent's audit events (operators only: config operators), oldest first, from
              GET /v1/audit/events: requests' events and refused Slack clicks. Filters as the
              route's (T: RFC 3339, e.g. 2026-12-02T09:00:00Z). --json prints one JSON object per
              line; --follow keeps printing new events until Ctrl+C.

audit verify  recomputes the hash chain of a request's audit trail (each event carries the
              SHA-256 of the one before it) from what GET /v1/requests/ID returns. Prints
              "ok: N events chained", or names the first event that no longer matches the chain
              (index, type, at) and exits 1. Events written before the chain existed are reported
              as unchained; the token's consumption is outside the chain.
              Connection flags as for the agent commands (--url, --token).`;

/**
 * `stepup audit verify ID`: checks a request's audit chain, as its agent sees it; `stepup audit …`
 * otherwise lists every agent's events (`audit-events-command.ts`).
 */
export async function auditCommand(
  argv: readonly string[],
  output: Output,
  context: AgentContext,
): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'verify') return auditEventsCommand(argv, output, context);
  const { values, positionals } = parseCommandLine(rest, CONNECTION_OPTIONS);
  const id = onePositional(positionals, 'stepup audit verify takes one request id');
  const status = await clientFor(connection(context.env, values)).getStatus(id);
  const verdict = verifyAuditTrail(id, status.events, status.auditHead);
  if (!verdict.ok) {
    const event = status.events[verdict.index];
    output.out(
      `broken: event ${verdict.index} (${event?.type ?? '?'} at ${event?.at ?? '?'}) does not match ` +
        `the audit chain (${verdict.reason.replaceAll('_', ' ')})`,
    );
    return EXIT.error;
  }
  const unchained =
    verdict.unchained > 0 ? `; ${verdict.unchained} unchained (written before the chain existed)` : '';
  output.out(`ok: ${verdict.chained} events chained${unchained}`);
  return EXIT.ok;
}
