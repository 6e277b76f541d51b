/**
 * Kubernetes API server simulator (the parts the connector uses), from the Kubernetes API reference:
 * - bearer tokens; failures as `Status` objects `{ kind: "Status", apiVersion: "v1", metadata: {},
 *   status: "Failure", message, reason, code }` (401 Unauthorized, 403 Forbidden, 404 NotFound,
 *   429 TooManyRequests with `Retry-After`, 410 Expired for an old continue token):
 *   https://kubernetes.io/docs/reference/using-api/api-concepts/
 * - `POST /apis/authentication.k8s.io/v1/selfsubjectreviews` (the token's `userInfo`);
 * - `GET /readyz` (`ok`, text) and `GET /version`;
 * - `GET /apis/apps/v1/deployments` and `/apis/apps/v1/namespaces/{ns}/deployments`: `limit`
 *   and `continue` (chunked lists: `metadata.continue` while more remain, `metadata.remainingItemCount`),
 *   items ordered by namespace and name as etcd keys are.
 */
import { auth, defineSimulator, fixtures } from './support/kit.ts';
import type { ErrorKind, SimReply, SimRequest } from './support/server.ts';
import type { Dataset } from './support/dataset.ts';

const TOKEN = 'eyJhbGciOiJSUzI1NiIsImtpZCI6InNpbSJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6cGF0Y2hiYXk6cmVhZGVyIn0.c2lt';
const REASONS: Record<ErrorKind, [string, string]> = {
  unauthorized: ['Unauthorized', 'Unauthorized'],
  forbidden: ['Forbidden', 'deployments.apps is forbidden: User "system:serviceaccount:patchbay:reader" cannot list resource "deployments" in API group "apps" at the cluster scope'],
  not_found: ['NotFound', 'the server could not find the requested resource'],
  rate_limited: ['TooManyRequests', 'Too many requests, please try again later.'],
  server_error: ['InternalError', 'Internal error occurred'],
  bad_request: ['BadRequest', 'the server rejected our request for an unknown reason'],
};
const status = (code: number, reason: string, message: string): SimReply => ({ status: code, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code } });

interface Deployment extends Record<string, unknown> {
  metadata: { name: string; namespace: string; uid: string; creationTimestamp: string; resourceVersion: string; generation: number };
  /** Kept beside the object for the fixtures (id and modification time); not served. */
  uid: string;
  lastChange: string;
}

const NAMESPACES = ['default', 'payments', 'search', 'web'];

function list(dataset: Dataset<Deployment>, req: SimRequest, namespace?: string): SimReply {
  const limit = Math.max(0, Number(req.query.get('limit') ?? 0) || 0);
  let after = '';
  const token = req.query.get('continue');
  if (token) {
    try {
      after = (JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { start: string }).start;
    } catch {
      return status(400, 'BadRequest', 'continue key is not valid: illegal base64 data');
    }
  }
  const key = (d: Deployment) => `${d.metadata.namespace}/${d.metadata.name}`;
  const all = dataset
    .all()
    .filter((d) => !namespace || d.metadata.namespace === namespace)
    .slice()
    .sort((a, b) => (key(a) < key(b) ? -1 : 1))
    .filter((d) => !after || key(d) > after);
  const items = limit ? all.slice(0, limit) : all;
  const remaining = all.length - items.length;
  const resourceVersion = String(dataset.all().length + 1000);
  return {
    body: {
      kind: 'DeploymentList',
      apiVersion: 'apps/v1',
      metadata: { resourceVersion, ...(remaining > 0 ? { continue: Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: Number(resourceVersion), start: key(items.at(-1)!) })).toString('base64'), remainingItemCount: remaining } : {}) },
      items: items.map(({ lastChange: _l, uid: _u, ...d }) => d),
    },
  };
}

export default defineSimulator({
  key: 'kubernetes',
  credential: auth.bearer(),
  accepts: [TOKEN],
  sample: { credentials: { token: TOKEN }, connectionConfig: { server: 'k8s.patchbay-sim.example:6443' } },
  error: (kind, code) => status(code, ...REASONS[kind]),
  data: (options) => ({
    deployments: fixtures<Deployment>(options, 'deployments', 60, (i, at) => {
      const replicas = 1 + (i % 4);
      return {
        metadata: { name: `app-${String(i).padStart(4, '0')}`, namespace: NAMESPACES[i % NAMESPACES.length]!, uid: `d3f10000-0000-4000-8000-${String(i).padStart(12, '0')}`, creationTimestamp: `${String(at).slice(0, 19)}Z`, resourceVersion: String(1000 + i), generation: 1 },
        spec: { replicas, selector: { matchLabels: { app: `app-${i}` } } },
        status: { observedGeneration: 1, replicas, updatedReplicas: replicas, readyReplicas: i % 13 === 0 ? replicas - 1 : replicas, availableReplicas: i % 13 === 0 ? replicas - 1 : replicas },
        uid: `d3f10000-0000-4000-8000-${String(i).padStart(12, '0')}`,
        lastChange: String(at),
      };
    }, { id: 'uid', updated: 'lastChange' }),
  }),
  routes: ({ deployments }) => [
    {
      method: 'POST',
      path: '/apis/authentication.k8s.io/v1/selfsubjectreviews',
      handle: () => ({ status: 201, body: { kind: 'SelfSubjectReview', apiVersion: 'authentication.k8s.io/v1', metadata: { creationTimestamp: null }, status: { userInfo: { username: 'system:serviceaccount:patchbay:reader', uid: 'sa-0001', groups: ['system:serviceaccounts', 'system:serviceaccounts:patchbay', 'system:authenticated'] } } } }),
    },
    { method: 'GET', path: '/readyz', handle: () => ({ headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'ok' }) },
    { method: 'GET', path: '/version', handle: () => ({ body: { major: '1', minor: '31', gitVersion: 'v1.31.0', platform: 'linux/amd64' } }) },
    { method: 'GET', path: '/apis/apps/v1/deployments', handle: (req) => list(deployments, req) },
    { method: 'GET', path: '/apis/apps/v1/namespaces/:ns/deployments', handle: (req) => list(deployments, req, req.params.ns) },
  ],
  profile: {
    proxyPath: '/apis/apps/v1/deployments?limit=1',
    records: { deployments: { dataset: 'deployments', count: 301 } },
  },
});
