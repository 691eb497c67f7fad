import { json } from '../adapters/api-gateway/http-event';

/** `GET /health`: liveness, no dependencies touched. */
export const handler = async () => json(200, { status: 'ok' });
