import { appendFile } from 'node:fs/promises';
import { EXPORT_SOURCE, exportedEvent } from '../lambdas/domain/audit/audit-export';
import { addedEvents, recordOf, type AuditRecord } from '../lambdas/domain/audit/audit-record';
import { logger } from '../lambdas/adapters/logger';
import type { AuditLog } from '../lambdas/ports/audit-log';
import type { AuditSink } from '../lambdas/ports/audit-sink';
import type { RequestStore } from '../lambdas/ports/request-store';

/** The file, under the data directory, that receives the exported audit events. */
export const AUDIT_EXPORT_FILE = 'audit.jsonl';

/**
 * The local counterpart of the EventBridge export: each audit event, as the bus receives it
 * (`source`, `detail-type`, `time`, `detail`), one JSON line per event, appended to
 * `<data dir>/audit.jsonl` and, when asked, written to stdout. Lines are written in the order the
 * writes succeeded.
 */
export class LocalAuditExport implements AuditSink {
  private written: Promise<void> = Promise.resolve();

  /**
   * @param file the JSON-lines file (undefined in memory mode)
   * @param stdout also write each line to stdout
   */
  constructor(
    private readonly file: string | undefined,
    private readonly stdout: (line: string) => void = () => {},
  ) {}

  publish(records: readonly AuditRecord[]): Promise<void> {
    if (records.length === 0) return this.written;
    const lines = records.map((record) => {
      const event = exportedEvent(record);
      return JSON.stringify({
        source: EXPORT_SOURCE,
        'detail-type': event.detailType,
        time: record.event.at,
        detail: event.detail,
      });
    });
    for (const line of lines) this.stdout(line);
    const file = this.file;
    if (file) this.written = this.written.then(() => appendFile(file, lines.map((l) => `${l}\n`).join('')));
    return this.written;
  }

  /** Resolves when every line so far is in the file. */
  flushed(): Promise<void> {
    return this.written;
  }

  /** `store`, exporting the events each successful write added (a failed export is logged, the write stands). */
  watchStore(store: RequestStore): RequestStore {
    const send = (records: AuditRecord[]) =>
      this.publish(records).catch((error: unknown) =>
        logger.error('local audit export failed', { error: error as Error }),
      );
    return {
      ...bound(store),
      create: async (request) => {
        await store.create(request);
        await send(addedEvents(undefined, request).map((event) => recordOf(request, event)));
      },
      save: async (current, next) => {
        await store.save(current, next);
        await send(addedEvents(current, next).map((event) => recordOf(next, event)));
      },
      consumeToken: async (id, jti, nowEpochSeconds, event) => {
        const consumed = await store.consumeToken(id, jti, nowEpochSeconds, event);
        const request = consumed ? await store.get(id) : undefined;
        if (request) await send([recordOf(request, event)]);
        return consumed;
      },
    };
  }

  /** `log`, exporting each refused click it stores. */
  watchLog(log: AuditLog): AuditLog {
    return {
      listEvents: (query) => log.listEvents(query),
      recordRefusal: async (subject, event) => {
        await log.recordRefusal(subject, event);
        await this.publish([recordOf(subject, event)]).catch((error: unknown) =>
          logger.error('local audit export failed', { error: error as Error }),
        );
      },
    };
  }
}

/** Every method of `store`, bound to it (the wrapper replaces the writing ones). */
function bound(store: RequestStore): RequestStore {
  return {
    create: (request) => store.create(request),
    get: (id) => store.get(id),
    save: (current, next) => store.save(current, next),
    consumeToken: (id, jti, now, event) => store.consumeToken(id, jti, now, event),
    recordPoll: (id, nowMs, interval) => store.recordPoll(id, nowMs, interval),
    listByAgent: (agent) => store.listByAgent(agent),
    listOpenByAgent: (agent, cursor) => store.listOpenByAgent(agent, cursor),
    listUnfinishedWorkflows: (cursor) => store.listUnfinishedWorkflows(cursor),
    listUnfinished: () => store.listUnfinished(),
  };
}
