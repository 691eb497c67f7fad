import { randomUUID } from 'node:crypto';
import type { FakeAccount } from './account';
import { AwsError } from '../../../local/aws/aws-error';
import { startJsonService, type AccountServices, type RunningService } from './json-service';

/** One event a bus accepted, as a rule's target would receive it. */
export interface BusEvent {
  readonly id: string;
  readonly bus: string;
  readonly source: string;
  readonly 'detail-type': string;
  readonly time: string;
  readonly detail: unknown;
}

/** A running EventBridge stand-in: the events each bus accepted, in order. */
export interface RunningEventBridge extends RunningService {
  /** Every event put on the bus named `name`. */
  events(name: string): readonly BusEvent[];
}

/** PutEvents' limits: 10 entries, 256 KB per call (entry size: source, detail type, detail, resources). */
const MAX_ENTRIES = 10;
const MAX_CALL_BYTES = 256 * 1024;

const validation = (message: string) => new AwsError('ValidationException', message);

/**
 * EventBridge stand-in (JSON 1.1, `AWSEvents.PutEvents`) for the template's buses plus `default`:
 * SigV4, IAM `events:PutEvents` on the bus ARN, the entry validation and per-entry errors of the
 * real API (an entry without source, detail type or a JSON-object detail fails on its own).
 */
export async function startEventBridge(
  account: FakeAccount,
  services: AccountServices,
): Promise<RunningEventBridge> {
  const { region } = services;
  const arnOf = (name: string) =>
    `arn:${account.env.partition}:events:${region}:${account.env.account}:event-bus/${name}`;
  const buses = new Map<string, BusEvent[]>([['default', []]]);
  for (const logicalId of account.logicalIdsOfType('AWS::Events::EventBus'))
    buses.set(account.ref(logicalId), []);
  const busNamed = (value: unknown): string => {
    const given = typeof value === 'string' && value !== '' ? value : 'default';
    const name = given.startsWith('arn:') ? given.slice(given.lastIndexOf('/') + 1) : given;
    if (!buses.has(name))
      throw new AwsError('ResourceNotFoundException', `Event bus ${name} does not exist.`);
    return name;
  };

  const service = await startJsonService(
    {
      signingName: 'events',
      iamPrefix: 'events',
      targetPrefix: 'AWSEvents',
      jsonVersion: '1.1',
      handle: async (call) => {
        if (call.operation !== 'PutEvents') throw new AwsError('UnknownOperationException', '');
        const entries = call.input.Entries;
        if (!Array.isArray(entries) || entries.length === 0 || entries.length > MAX_ENTRIES)
          throw validation(
            `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to ${MAX_ENTRIES}`,
          );
        if (Buffer.byteLength(JSON.stringify(entries)) > MAX_CALL_BYTES)
          throw validation('Total size of the entries in the request is over the limit.');
        const named = entries.map((entry: Record<string, unknown>) => busNamed(entry.EventBusName));
        for (const name of new Set(named)) await call.authorize(arnOf(name));
        const results = entries.map((entry: Record<string, unknown>, i: number) => {
          let detail: unknown;
          try {
            detail = typeof entry.Detail === 'string' ? JSON.parse(entry.Detail) : undefined;
          } catch {
            detail = undefined;
          }
          if (typeof entry.Source !== 'string' || entry.Source === '')
            return {
              ErrorCode: 'InvalidArgument',
              ErrorMessage: 'Parameter Source is not valid. Reason: Source is a required argument.',
            };
          if (typeof entry.DetailType !== 'string' || entry.DetailType === '')
            return {
              ErrorCode: 'InvalidArgument',
              ErrorMessage: 'Parameter DetailType is not valid. Reason: DetailType is a required argument.',
            };
          if (typeof detail !== 'object' || detail === null || Array.isArray(detail))
            return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
          const id = randomUUID();
          const time = typeof entry.Time === 'number' ? new Date(entry.Time * 1000) : new Date();
          buses.get(named[i]!)!.push({
            id,
            bus: named[i]!,
            source: entry.Source,
            'detail-type': entry.DetailType,
            time: time.toISOString(),
            detail,
          });
          return { EventId: id };
        });
        return {
          FailedEntryCount: results.filter((result) => 'ErrorCode' in result).length,
          Entries: results,
        };
      },
    },
    services,
  );
  return { ...service, events: (name) => buses.get(name) ?? [] };
}
