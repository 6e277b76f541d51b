/**
 * AWS Secrets Manager simulator: its JSON API over HTTP, on loopback, checking every request's
 * Signature Version 4 as AWS does.
 *
 * Follows AWS's published references:
 * - https://docs.aws.amazon.com/secretsmanager/latest/apireference/ — `POST /` with
 *   `Content-Type: application/x-amz-json-1.1` and `X-Amz-Target: secretsmanager.<Operation>`;
 *   GetSecretValue (`SecretId`, `VersionId` or `VersionStage`, default AWSCURRENT → `ARN`, `Name`,
 *   `VersionId`, `SecretString`, `VersionStages`, `CreatedDate`), PutSecretValue (a new version
 *   becomes AWSCURRENT, the old one AWSPREVIOUS; the same `ClientRequestToken` again changes
 *   nothing), CreateSecret (`ResourceExistsException` for a taken name); errors are 400 with
 *   `{"__type": "...Exception", "message": "..."}` ("Common Errors": MissingAuthenticationToken,
 *   UnrecognizedClient, InvalidSignatureException, AccessDeniedException).
 * - https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html — the canonical
 *   request, string to sign and signing key, recomputed here from the request as received (not
 *   with Patchbay's signer), and the 5-minute limit on a signature's age
 *   (https://docs.aws.amazon.com/IAM/latest/UserGuide/signature-v4-troubleshooting.html).
 */
import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SecretsManagerSimulatorOptions {
  region?: string;
  /** Access key id → its secret and the secret-name prefixes it may use (`['*']`: all). */
  keys?: Record<string, { secretAccessKey: string; allow?: string[] }>;
  port?: number;
  /** The simulator's clock, to test expired signatures. */
  now?: () => Date;
}

interface Version {
  id: string;
  value: string;
  stages: Set<string>;
  created: Date;
  token: string | undefined;
}

interface Secret {
  name: string;
  arn: string;
  versions: Version[];
}

export interface SecretsManagerSimulator {
  url: string;
  region: string;
  /** The access key every test may use (allowed everything). */
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Stores a secret (a new version if it exists), as the console would; returns its version id. */
  put(name: string, value: string | Record<string, unknown>): string;
  /** Requests seen: the operation and what was refused, if anything. */
  requests: { operation: string; refused?: string }[];
  close(): Promise<void>;
}

export const SAMPLE_AWS_KEY = { accessKeyId: 'AKIAPATCHBAYSIM00001', secretAccessKey: 'patchbay/simulator/Secret+Access+Key+0001' } as const;
const ACCOUNT = '123456789012';
const MAX_SKEW_MS = 5 * 60_000;

const hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const mac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();
const encode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

class AwsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** The signature AWS would compute for this request as received, or an error saying why it cannot. */
function expectedSignature(req: http.IncomingMessage, body: Buffer, auth: { date: string; region: string; service: string; signedHeaders: string[]; secret: string }): string {
  const url = new URL(req.url ?? '/', 'http://host');
  const path = url.pathname.split('/').map((s) => encode(encode(decodeURIComponent(s)))).join('/') || '/';
  const query = [...url.searchParams].map(([k, v]) => `${encode(k)}=${encode(v)}`).sort().join('&');
  const headers = auth.signedHeaders.map((name) => {
    const value = req.headers[name];
    if (value === undefined) throw new AwsError('InvalidSignatureException', `The request signature we calculated does not match the signature you provided. Signed header ${name} is missing.`);
    return `${name}:${(Array.isArray(value) ? value.join(',') : value).trim().replace(/\s+/g, ' ')}\n`;
  });
  const canonical = [req.method, path, query, headers.join(''), auth.signedHeaders.join(';'), hex(body)].join('\n');
  const stamp = String(req.headers['x-amz-date']);
  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', stamp, scope, hex(canonical)].join('\n');
  const key = mac(mac(mac(mac(`AWS4${auth.secret}`, auth.date), auth.region), auth.service), 'aws4_request');
  return createHmac('sha256', key).update(toSign, 'utf8').digest('hex');
}

export async function startSecretsManagerSimulator(options: SecretsManagerSimulatorOptions = {}): Promise<SecretsManagerSimulator> {
  const region = options.region ?? 'us-east-1';
  const keys = options.keys ?? { [SAMPLE_AWS_KEY.accessKeyId]: { secretAccessKey: SAMPLE_AWS_KEY.secretAccessKey, allow: ['*'] } };
  const now = options.now ?? (() => new Date());
  const secrets = new Map<string, Secret>();
  const requests: SecretsManagerSimulator['requests'] = [];

  const find = (id: string): Secret => {
    const secret = secrets.get(id) ?? [...secrets.values()].find((s) => s.arn === id);
    if (!secret) throw new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    return secret;
  };
  const addVersion = (secret: Secret, value: string, token: string | undefined): Version => {
    const same = token ? secret.versions.find((v) => v.token === token) : undefined;
    if (same) {
      if (same.value !== value) throw new AwsError('ResourceExistsException', 'You can’t modify an existing version, you can only create a new version.');
      return same;
    }
    for (const v of secret.versions) {
      v.stages.delete('AWSPREVIOUS');
      if (v.stages.delete('AWSCURRENT')) v.stages.add('AWSPREVIOUS');
    }
    const version: Version = { id: token ?? randomUUID(), value, stages: new Set(['AWSCURRENT']), created: now(), token };
    secret.versions.push(version);
    return version;
  };
  const create = (name: string, value: string, token?: string): { secret: Secret; version: Version } => {
    if (secrets.has(name)) throw new AwsError('ResourceExistsException', `The operation failed because the secret ${name} already exists.`);
    const secret: Secret = { name, arn: `arn:aws:secretsmanager:${region}:${ACCOUNT}:secret:${name}-${randomUUID().slice(0, 6)}`, versions: [] };
    secrets.set(name, secret);
    return { secret, version: addVersion(secret, value, token) };
  };

  /** Checks the SigV4 signature; returns the caller's access key. */
  const authenticate = (req: http.IncomingMessage, body: Buffer): { allow: string[] } => {
    const header = req.headers.authorization;
    if (!header) throw new AwsError('MissingAuthenticationTokenException', 'Missing Authentication Token');
    const match = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/.exec(header);
    if (!match) throw new AwsError('IncompleteSignatureException', 'Authorization header requires Credential, SignedHeaders and Signature, with the AWS4-HMAC-SHA256 algorithm.');
    const [, keyId, date, scopeRegion, service, signed, signature] = match as unknown as [string, string, string, string, string, string, string];
    const key = keys[keyId];
    if (!key) throw new AwsError('UnrecognizedClientException', 'The security token included in the request is invalid.');
    const signedHeaders = signed.split(';');
    if (!signedHeaders.includes('host') || !signedHeaders.includes('x-amz-date')) throw new AwsError('InvalidSignatureException', 'Signed headers must include host and x-amz-date.');
    const stamp = String(req.headers['x-amz-date'] ?? '');
    const at = Date.parse(stamp.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z'));
    if (Number.isNaN(at) || !stamp.startsWith(date)) throw new AwsError('InvalidSignatureException', 'X-Amz-Date is missing, malformed or not the credential scope’s day.');
    if (Math.abs(now().getTime() - at) > MAX_SKEW_MS) {
      throw new AwsError('InvalidSignatureException', `Signature expired: ${stamp} is now earlier than ${new Date(now().getTime() - MAX_SKEW_MS).toISOString()} (${now().toISOString()} - 5 min.)`);
    }
    if (scopeRegion !== region || service !== 'secretsmanager') throw new AwsError('InvalidSignatureException', `Credential should be scoped to a valid region and to secretsmanager, not '${scopeRegion}/${service}'.`);
    const declaredHash = req.headers['x-amz-content-sha256'];
    if (declaredHash !== undefined && declaredHash !== hex(body)) throw new AwsError('InvalidSignatureException', 'The provided x-amz-content-sha256 header does not match what was computed.');
    const expected = Buffer.from(expectedSignature(req, body, { date, region: scopeRegion, service, signedHeaders, secret: key.secretAccessKey }));
    if (!timingSafeEqual(expected, Buffer.from(signature))) {
      throw new AwsError('InvalidSignatureException', 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.');
    }
    return { allow: key.allow ?? ['*'] };
  };

  const authorize = (allow: string[], operation: string, name: string): void => {
    if (allow.includes('*') || allow.some((prefix) => name.startsWith(prefix))) return;
    throw new AwsError('AccessDeniedException', `User: arn:aws:iam::${ACCOUNT}:user/patchbay is not authorized to perform: secretsmanager:${operation} on resource: ${name} because no identity-based policy allows the secretsmanager:${operation} action`);
  };

  const operations: Record<string, (input: Record<string, unknown>, allow: string[]) => unknown> = {
    GetSecretValue(input, allow) {
      const secret = find(String(input.SecretId ?? ''));
      authorize(allow, 'GetSecretValue', secret.name);
      const stage = typeof input.VersionStage === 'string' ? input.VersionStage : input.VersionId ? undefined : 'AWSCURRENT';
      const version = secret.versions.find((v) => (input.VersionId ? v.id === input.VersionId : false) || (stage ? v.stages.has(stage) : false));
      if (!version) throw new AwsError('ResourceNotFoundException', `Secrets Manager can't find the specified secret value for ${input.VersionId ? `VersionId: ${String(input.VersionId)}` : `staging label: ${stage}`}`);
      return { ARN: secret.arn, Name: secret.name, VersionId: version.id, SecretString: version.value, VersionStages: [...version.stages], CreatedDate: version.created.getTime() / 1000 };
    },
    PutSecretValue(input, allow) {
      const secret = find(String(input.SecretId ?? ''));
      authorize(allow, 'PutSecretValue', secret.name);
      if (typeof input.SecretString !== 'string') throw new AwsError('InvalidParameterException', 'You must provide either SecretString or SecretBinary.');
      const version = addVersion(secret, input.SecretString, typeof input.ClientRequestToken === 'string' ? input.ClientRequestToken : undefined);
      return { ARN: secret.arn, Name: secret.name, VersionId: version.id, VersionStages: [...version.stages] };
    },
    CreateSecret(input, allow) {
      const name = String(input.Name ?? '');
      if (!/^[A-Za-z0-9/_+=.@-]{1,512}$/.test(name)) throw new AwsError('InvalidParameterException', 'Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!');
      authorize(allow, 'CreateSecret', name);
      if (typeof input.SecretString !== 'string') throw new AwsError('InvalidParameterException', 'You must provide either SecretString or SecretBinary.');
      const { secret, version } = create(name, input.SecretString, typeof input.ClientRequestToken === 'string' ? input.ClientRequestToken : undefined);
      return { ARN: secret.arn, Name: secret.name, VersionId: version.id };
    },
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const target = String(req.headers['x-amz-target'] ?? '');
      const operation = target.startsWith('secretsmanager.') ? target.slice('secretsmanager.'.length) : target;
      const send = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() });
        res.end(JSON.stringify(payload));
      };
      try {
        if (req.method !== 'POST' || (req.url ?? '/').split('?')[0] !== '/') throw new AwsError('UnknownOperationException', 'Only POST / is served.', 404);
        const { allow } = authenticate(req, body);
        const handler = Object.hasOwn(operations, operation) ? operations[operation] : undefined;
        if (!handler) throw new AwsError('UnknownOperationException', `Unknown operation ${target}`);
        let input: Record<string, unknown>;
        try {
          input = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
        } catch {
          throw new AwsError('SerializationException', 'The request body is not JSON.');
        }
        const output = handler(input, allow);
        requests.push({ operation });
        send(200, output);
      } catch (err) {
        const e = err instanceof AwsError ? err : new AwsError('InternalServiceError', 'An error occurred on the server side.', 500);
        requests.push({ operation, refused: e.type });
        send(e.status, { __type: e.type, message: e.message });
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    region,
    credentials: { ...SAMPLE_AWS_KEY },
    requests,
    put(name, value) {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      const existing = secrets.get(name);
      return existing ? addVersion(existing, text, undefined).id : create(name, text).version.id;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
