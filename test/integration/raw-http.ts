import { connect } from 'node:net';

/** An HTTP answer as it came off the wire. */
export interface RawAnswer {
  readonly status: number;
  /** Lower-cased names. */
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * Sends `request` byte for byte (what `fetch` refuses to send: any Host, a malformed target, an
 * oversized header block) and reads the answer until the server closes the connection, so the
 * request should carry `Connection: close` unless the server closes anyway.
 */
export function rawHttp(url: string, request: string): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(request));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head = '', ...rest] = text.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(
        lines.map((line) => [
          line.slice(0, line.indexOf(':')).toLowerCase(),
          line.slice(line.indexOf(':') + 1).trim(),
        ]),
      );
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') });
    });
  });
}

/** A GET of `path` with exactly these header lines. */
export function rawGet(url: string, path: string, headerLines: readonly string[]): Promise<RawAnswer> {
  return rawHttp(
    url,
    `GET ${path} HTTP/1.1\r\n${[...headerLines, 'Connection: close'].join('\r\n')}\r\n\r\n`,
  );
}
