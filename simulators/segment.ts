/**
 * Segment Public API simulator. Follows Segment's published reference (https://docs.segmentapis.com):
 * - Authentication with a Public API token as a bearer token: https://docs.segmentapis.com/tag/Getting-Started
 * - Get Workspace (GET /): https://docs.segmentapis.com/tag/Workspaces
 * - Error handling (`{ "errors": [{ "type", "message" }] }`; 401 covers bad and under-privileged
 *   tokens): https://docs.segmentapis.com/tag/Error-Handling
 * - Rate limits (429 with `data.msBeforeNext`, `X-RateLimit-*` headers, reset as an RFC 5322 date):
 *   https://docs.segmentapis.com/tag/Rate-Limits
 * - Pagination (`pagination.count`, `pagination.cursor` → `pagination.next`):
 *   https://docs.segmentapis.com/tag/Pagination and https://docs.segmentapis.com/tag/Sources
 */
import { seed, type SimulatorHandle, type SimulatorOptions } from './support/handle.ts';
import { bearerToken, createControl, intParam, serveSimulator, type ErrorKind, type SimReply } from './support/server.ts';

export const SEGMENT_SAMPLE_TOKEN = 'sgp_PatchbaySimulatorToken0000000000000000000001';

const WORKSPACE = { id: '9aQ1SimWorkspace0001', name: 'Patchbay Simulated Workspace', slug: 'patchbay-sim' };

const SOURCES = seed(17, (i) => ({
  id: `src_sim_${String(i).padStart(4, '0')}`,
  slug: `source-${i}`,
  name: `Source ${i}`,
  enabled: i % 5 !== 0,
  workspaceId: WORKSPACE.id,
  writeKeys: [],
  metadata: { id: 'IqDTy1TpoU', slug: 'javascript', name: 'Javascript', categories: ['Website'] },
  settings: {},
  labels: [],
}));

function error(kind: ErrorKind, status: number): SimReply {
  const messages: Record<ErrorKind, [number, string, string]> = {
    unauthorized: [401, 'unauthorized', 'Unauthorized'],
    forbidden: [403, 'forbidden', 'The token does not have permission to access this resource.'],
    not_found: [404, 'not-found', 'Resource not found'],
    rate_limited: [429, 'RequestError', 'Too many requests'],
    server_error: [status, 'server-error', 'Internal server error'],
    bad_request: [422, 'input-validation', 'Validation failure'],
  };
  const [code, type, message] = messages[kind];
  if (kind === 'rate_limited') {
    return {
      status: 429,
      headers: {
        'x-ratelimit-consumed': '21',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': new Date(Date.now() + 57_000).toUTCString(),
      },
      body: { errors: [{ type, message, data: { remainingPoints: 0, msBeforeNext: 57_000, consumedPoints: 21 } }] },
    };
  }
  return { status: code, body: { errors: [{ type, message }] } };
}

export async function startSegmentSimulator(options: SimulatorOptions = {}): Promise<SimulatorHandle> {
  const control = createControl(options.credentials ?? [SEGMENT_SAMPLE_TOKEN]);
  const server = await serveSimulator(
    {
      key: 'segment',
      credential: (req) => bearerToken(req.headers),
      error,
      routes: [
        { method: 'GET', path: '/', handle: () => ({ body: { data: { workspace: WORKSPACE } } }) },
        {
          method: 'GET',
          path: '/sources',
          handle: (req) => {
            const count = intParam(req.query.get('pagination.count'), 10, 200);
            const cursor = req.query.get('pagination.cursor');
            const start = cursor ? Number(Buffer.from(cursor, 'base64url').toString('utf8')) || 0 : 0;
            const next = start + count < SOURCES.length ? Buffer.from(String(start + count)).toString('base64url') : undefined;
            return {
              body: {
                data: {
                  sources: SOURCES.slice(start, start + count),
                  pagination: {
                    current: cursor ?? Buffer.from('0').toString('base64url'),
                    ...(next ? { next } : {}),
                    totalEntries: SOURCES.length,
                  },
                },
              },
            };
          },
        },
      ],
    },
    { ...options, control },
  );
  return {
    key: 'segment',
    url: server.url,
    baseUrl: server.url,
    sample: { credentials: { apiToken: SEGMENT_SAMPLE_TOKEN }, connectionConfig: {}, integrationConfig: {}, metadata: {} },
    control: server.control,
    close: server.close,
  };
}
