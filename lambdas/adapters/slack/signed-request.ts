import type { HttpEvent } from '../api-gateway/http-event';

/** Slack's replay window: requests stamped further than this from now, either way, are refused. */
export const SLACK_TIMESTAMP_TOLERANCE_SECONDS = 300;

/**
 * Prepares an API Gateway event for Bolt's receiver. Bolt decodes base64 bodies as ASCII, which
 * corrupts non-ASCII text and breaks the signature, so the body is decoded here as UTF-8. Bolt
 * accepts timestamps from the future; those are refused here.
 * @returns the event to hand to Bolt, or undefined if it must be refused with 401
 */
export function prepareSlackEvent(event: HttpEvent, nowSeconds: number): HttpEvent | undefined {
  const headers = Object.fromEntries(
    Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
  );
  const timestamp = Number(headers['x-slack-request-timestamp']);
  if (!Number.isInteger(timestamp) || Math.abs(nowSeconds - timestamp) > SLACK_TIMESTAMP_TOLERANCE_SECONDS) {
    return undefined;
  }
  const body = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : event.body;
  return { ...event, headers, body, isBase64Encoded: false };
}
