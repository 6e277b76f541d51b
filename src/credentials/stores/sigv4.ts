/**
 * AWS Signature Version 4 for one HTTP request, written from AWS's specification
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html): a canonical
 * request, a string to sign over its hash and the credential scope, a signing key derived from
 * the secret by an HMAC chain (date, region, service, `aws4_request`), and the `Authorization`
 * header. Checked against AWS's published test-suite vectors (test/credentials/sigv4.test.ts).
 *
 * Written here rather than taken from a library: Patchbay signs a handful of JSON POSTs to one
 * service, which this page does in full; `@aws-sdk/client-secrets-manager` brings the whole SDK
 * runtime (dozens of packages) for them, and `aws4` is the same algorithm with request shapes of
 * its own (Node's `http.request` options) that the undici client does not use.
 */
import { createHash, createHmac } from 'node:crypto';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** For temporary credentials (STS): sent as `x-amz-security-token` and signed. */
  sessionToken?: string;
}

export interface RequestToSign {
  method: string;
  url: URL;
  /** Headers to send and sign (besides host and x-amz-date, which are added). */
  headers: Readonly<Record<string, string>>;
  body: string;
}

export const sha256Hex = (data: string): string => createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();

/** RFC 3986 encoding as SigV4 wants it: unreserved characters left, everything else %XX (upper case). */
export function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** `20150830T123600Z` */
export function amzDate(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** The path, each segment encoded (services other than S3 encode the already-encoded path again). */
function canonicalPath(url: URL): string {
  const segments = url.pathname.split('/').map((s) => uriEncode(decodeURIComponent(s)));
  return segments.map((s) => uriEncode(s)).join('/') || '/';
}

function canonicalQuery(url: URL): string {
  return [...url.searchParams]
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

/** The signing key for a day, region and service. */
export function signingKey(secretAccessKey: string, date: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date), region), service), 'aws4_request');
}

/**
 * The headers to send: the given ones plus `host`, `x-amz-date`, `x-amz-content-sha256`, the
 * session token if any, and `authorization`.
 *
 * @example
 * const headers = signRequest({ method: 'POST', url, headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'secretsmanager.GetSecretValue' }, body },
 *   credentials, { region: 'eu-west-1', service: 'secretsmanager' });
 */
export function signRequest(request: RequestToSign, credentials: AwsCredentials, options: { region: string; service: string; now?: Date; signPayloadHeader?: boolean }): Record<string, string> {
  const stamp = amzDate(options.now ?? new Date());
  const date = stamp.slice(0, 8);
  const payloadHash = sha256Hex(request.body);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
  headers.host = request.url.host;
  headers['x-amz-date'] = stamp;
  if (options.signPayloadHeader !== false) headers['x-amz-content-sha256'] = payloadHash;
  if (credentials.sessionToken) headers['x-amz-security-token'] = credentials.sessionToken;
  const names = Object.keys(headers).sort();
  const canonicalHeaders = names.map((n) => `${n}:${headers[n]!.trim().replace(/\s+/g, ' ')}\n`).join('');
  const signedHeaders = names.join(';');
  const canonicalRequest = [request.method.toUpperCase(), canonicalPath(request.url), canonicalQuery(request.url), canonicalHeaders, signedHeaders, payloadHash].join('\n');
  const scope = `${date}/${options.region}/${options.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', stamp, scope, sha256Hex(canonicalRequest)].join('\n');
  const signature = createHmac('sha256', signingKey(credentials.secretAccessKey, date, options.region, options.service)).update(stringToSign, 'utf8').digest('hex');
  return { ...headers, authorization: `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}` };
}
