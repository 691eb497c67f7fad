import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { SECURITY_HEADERS } from './security-headers';

/** What Node's HTTP parser reports, by error code, as status and description. */
const PARSE_ERRORS: Readonly<Record<string, { status: number; description: string }>> = {
  HPE_HEADER_OVERFLOW: { status: 431, description: 'the request headers are too large' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, description: 'the request took too long to arrive' },
};
const MALFORMED = { status: 400, description: 'the request is not valid HTTP/1.1' };

/**
 * Answers a request Node's HTTP parser refused (the server's `clientError` event) in the API's
 * `{error, error_description}` shape instead of Node's empty-bodied default, then closes the
 * connection, since after a parse error the stream cannot be trusted to frame another request.
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const { status, description } = PARSE_ERRORS[error.code ?? ''] ?? MALFORMED;
  const body = JSON.stringify({ error: 'invalid_request', error_description: description });
  const headers = {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
    ...SECURITY_HEADERS,
    connection: 'close',
  };
  const head = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${head.join('')}\r\n${body}`);
}
