import { reason } from './errors';

/** How the action a stepup token allowed ended, as the resource server reports it. */
export interface ActionOutcome {
  readonly result: 'succeeded' | 'failed';
  /** A short machine code: a letter or digit, then up to 63 letters, digits or `_.:-` (`http_204`). */
  readonly code?: string;
}

/** The outcome as stepup recorded it (the first report, when the same one is sent again). */
export interface RecordedOutcome {
  readonly requestId: string;
  readonly result: 'succeeded' | 'failed';
  readonly code?: string;
  readonly recordedAt: string;
}

/**
 * stepup did not record the outcome. `code` is stepup's error code (`conflict`: the token was not
 * used yet, or a different outcome was recorded; `forbidden`: this resource server is not the
 * token's audience), or `unreachable` when stepup could not be asked.
 */
export class OutcomeReportError extends Error {
  override readonly name = 'OutcomeReportError';

  constructor(
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Where and how to send a report. */
export interface OutcomeReportTarget {
  /** `POST /v1/requests/{id}/outcome` of stepup's API. */
  readonly url: string;
  /** This resource server's workload JWT (as for introspection). */
  readonly bearer: string;
  readonly fetch: typeof fetch;
  readonly timeoutMs: number;
}

/**
 * Sends the report. Safe to repeat: the same report again answers as the first did.
 * @throws OutcomeReportError
 */
export async function sendOutcomeReport(
  target: OutcomeReportTarget,
  outcome: ActionOutcome,
): Promise<RecordedOutcome> {
  let status: number;
  let body: Record<string, unknown>;
  try {
    const response = await target.fetch(target.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        authorization: `Bearer ${target.bearer}`,
      },
      body: JSON.stringify(outcome),
      signal: AbortSignal.timeout(target.timeoutMs),
    });
    status = response.status;
    body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  } catch (error) {
    throw new OutcomeReportError('unreachable', `outcome report failed: ${reason(error)}`, { cause: error });
  }
  if (status !== 200 || typeof body.auth_req_id !== 'string' || typeof body.recorded_at !== 'string') {
    const code = typeof body.error === 'string' ? body.error : `http_${status}`;
    const description = typeof body.error_description === 'string' ? `: ${body.error_description}` : '';
    throw new OutcomeReportError(code, `stepup did not record the outcome (HTTP ${status})${description}`);
  }
  return {
    requestId: body.auth_req_id,
    result: body.result === 'failed' ? 'failed' : 'succeeded',
    ...(typeof body.code === 'string' ? { code: body.code } : {}),
    recordedAt: body.recorded_at,
  };
}
