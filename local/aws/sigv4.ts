import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { buffer } from 'node:stream/consumers';
import { AwsError } from './aws-error';

/** An incoming HTTP request, as received: raw path and query, headers, body bytes. */
export interface SignedRequest {
  readonly method: string;
  /** Path and query exactly as on the request line, e.g. `/` or `/2015-03-31/functions?x=1`. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** The request `incoming` as received, body read whole: what {@link verifySigV4} checks. */
export async function receivedRequest(incoming: IncomingMessage): Promise<SignedRequest> {
  return {
    method: incoming.method ?? 'GET',
    url: incoming.url ?? '/',
    headers: incoming.headers,
    body: await buffer(incoming),
  };
}

/** What the service expects the credential scope to say. */
export interface SigningScope {
  /** The signing name, e.g. `dynamodb`, `kms`, `secretsmanager`, `states`. */
  readonly service: string;
  readonly region: string;
}

/** The secret half of the credentials an access key id names. */
export interface SigningCredentials {
  readonly secretAccessKey: string;
  /** Temporary credentials carry one; the request must present it. */
  readonly sessionToken?: string;
}

/** Who holds which access key (the stand-ins' account, or the local runtime's own keys). */
export interface CredentialsByKey<C extends SigningCredentials> {
  byAccessKeyId(accessKeyId: string): C | undefined;
}

/** Requests signed longer ago (or further ahead) than this are refused, as AWS does. */
const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;
const ALGORITHM = 'AWS4-HMAC-SHA256';

const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest();

/** RFC 3986 encoding, which SigV4 uses: `encodeURIComponent` plus `!'()*`. */
function encodeRfc3986(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function canonicalQuery(query: string): string {
  if (!query) return '';
  return query
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const [key = '', value = ''] = pair
        .split('=', 2)
        .map((part) => decodeURIComponent(part.replace(/\+/g, ' ')));
      return [encodeRfc3986(key), encodeRfc3986(value)] as const;
    })
    .sort(([ak, av], [bk, bv]) => (ak === bk ? (av < bv ? -1 : 1) : ak < bk ? -1 : 1))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

const invalidSignature = (message: string): AwsError => new AwsError('InvalidSignatureException', message);
const INVALID_TOKEN = (): AwsError =>
  new AwsError('UnrecognizedClientException', 'The security token included in the request is invalid.');

interface Authorization {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

function parseAuthorization(header: string | undefined): Authorization {
  if (!header)
    throw new AwsError('MissingAuthenticationTokenException', 'Request is missing Authentication Token');
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
      header,
    );
  if (!match) {
    throw new AwsError(
      'IncompleteSignatureException',
      `Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters.`,
    );
  }
  // Every group is mandatory in the pattern, so each is a string once it matched.
  const [, accessKeyId = '', date = '', region = '', service = '', signedHeaders = '', signature = ''] =
    match;
  return { accessKeyId, date, region, service, signedHeaders: signedHeaders.split(';'), signature };
}

/** `20261202T101500Z` → epoch ms, or NaN. */
function parseAmzDate(amzDate: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!m) return Number.NaN;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

/** The SigV4 canonical request of `request` over `signedHeaders`. */
export function canonicalRequest(
  request: SignedRequest,
  signedHeaders: readonly string[],
  payloadHash: string,
): string {
  const [path = '/', query = ''] = request.url.split('?', 2);
  // Every service but S3 encodes the (already encoded) path segments once more.
  const canonicalPath = path.split('/').map(encodeRfc3986).join('/');
  const headers = signedHeaders.map(
    (name) => `${name}:${(headerValue(request.headers, name) ?? '').trim().replace(/\s+/g, ' ')}\n`,
  );
  return [
    request.method,
    canonicalPath,
    canonicalQuery(query),
    headers.join(''),
    signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
}

/**
 * Verifies a SigV4-signed request as an AWS service front end does: recomputes the signature from
 * the canonical request with the secret of the access key it names, checks the credential scope,
 * the clock skew and the session token.
 * @returns the credentials (and so the role) that signed the request.
 * @throws AwsError with the code AWS answers (`UnrecognizedClientException` for an unknown key or a
 *   wrong session token, `InvalidSignatureException` for a wrong signature, scope or time, ...).
 */
export function verifySigV4<C extends SigningCredentials>(
  request: SignedRequest,
  scope: SigningScope,
  principals: CredentialsByKey<C>,
  now = Date.now(),
): C {
  const auth = parseAuthorization(headerValue(request.headers, 'authorization'));
  const credentials = principals.byAccessKeyId(auth.accessKeyId);
  if (!credentials) throw INVALID_TOKEN();
  if (headerValue(request.headers, 'x-amz-security-token') !== credentials.sessionToken)
    throw INVALID_TOKEN();
  if (auth.service !== scope.service) {
    throw invalidSignature(`Credential should be scoped to correct service: '${scope.service}'. `);
  }
  if (auth.region !== scope.region) throw invalidSignature('Credential should be scoped to a valid region. ');
  if (!auth.signedHeaders.includes('host')) {
    throw invalidSignature(`'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.`);
  }
  const amzDate = headerValue(request.headers, 'x-amz-date') ?? '';
  const signedAt = parseAmzDate(amzDate);
  if (Number.isNaN(signedAt) || !amzDate.startsWith(auth.date)) {
    throw new AwsError(
      'IncompleteSignatureException',
      "Date must be in ISO-8601 'basic format'. Got '" + amzDate + "'.",
    );
  }
  if (Math.abs(now - signedAt) > MAX_CLOCK_SKEW_MS) {
    throw invalidSignature(
      `Signature expired: ${amzDate} is now earlier or later than the allowed 5 minutes from the server time.`,
    );
  }

  const bodyHash = sha256Hex(request.body);
  const declaredHash = headerValue(request.headers, 'x-amz-content-sha256');
  if (declaredHash !== undefined && declaredHash !== bodyHash && declaredHash !== 'UNSIGNED-PAYLOAD') {
    throw invalidSignature(`The provided 'x-amz-content-sha256' header does not match what was computed.`);
  }
  const credentialScope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  const stringToSign = [
    ALGORITHM,
    amzDate,
    credentialScope,
    sha256Hex(canonicalRequest(request, auth.signedHeaders, declaredHash ?? bodyHash)),
  ].join('\n');
  const signingKey = [auth.date, auth.region, auth.service, 'aws4_request'].reduce<Buffer | string>(
    (key, part) => hmac(key, part),
    `AWS4${credentials.secretAccessKey}`,
  );
  const expected = Buffer.from(hmac(signingKey, stringToSign).toString('hex'));
  if (!timingSafeEqual(expected, Buffer.from(auth.signature))) {
    throw invalidSignature(
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    );
  }
  return credentials;
}
