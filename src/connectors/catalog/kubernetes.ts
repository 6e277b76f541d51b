/**
 * Kubernetes: deployments of a cluster, read from its API server with a service account's bearer
 * token, and the server's readiness. References: authenticating with bearer tokens
 * (`Authorization: Bearer <token>`): https://kubernetes.io/docs/reference/access-authn-authz/authentication/;
 * who the token is (`POST /apis/authentication.k8s.io/v1/selfsubjectreviews`, GA in 1.28):
 * https://kubernetes.io/docs/reference/kubernetes-api/authentication-resources/self-subject-review-v1/;
 * health (`GET /readyz`, `ok` when ready): https://kubernetes.io/docs/reference/using-api/health-checks/;
 * list deployments in all namespaces (`GET /apis/apps/v1/deployments`) in chunks (`limit`, and the
 * `metadata.continue` token of a list sent back as `continue`; a token too old answers 410 Gone):
 * https://kubernetes.io/docs/reference/using-api/api-concepts/#retrieving-large-results-sets-in-chunks;
 * errors are `Status` objects (`{ kind: "Status", status: "Failure", message, reason, code }`), and
 * API Priority and Fairness answers 429 with `Retry-After`:
 * https://kubernetes.io/docs/concepts/cluster-administration/flow-control/
 * The cluster's CA: connect through a server URL whose certificate the hub trusts (the hub's
 * trust store, e.g. NODE_EXTRA_CA_CERTS); a per-connection CA is not taken here.
 */
import { Type } from 'typebox';
import type { SyncDefinition } from '../extensions.ts';
import { connected, defineConnector, expectOk, monogramIcon, ProviderFailureError } from '../sdk.ts';

interface Deployment {
  metadata: { name: string; namespace: string; uid: string; creationTimestamp: string; generation?: number; labels?: Record<string, string> };
  spec: { replicas?: number };
  status?: { replicas?: number; readyReplicas?: number; availableReplicas?: number; updatedReplicas?: number; observedGeneration?: number };
}

/**
 * Every deployment in chunks of 100 (`continue` tokens), read whole each run: a list is a snapshot
 * at one resourceVersion, and deletions are found by difference. Watching would be the streaming
 * alternative; a scheduled snapshot needs no long-lived connection.
 */
const deployments: SyncDefinition = {
  model: 'deployments',
  description: 'Deployments of every namespace the token may list',
  schema: Type.Object({
    uid: Type.String(),
    namespace: Type.String(),
    name: Type.String(),
    replicas: Type.Integer(),
    readyReplicas: Type.Integer(),
    availableReplicas: Type.Integer(),
    upToDate: Type.Boolean(),
    createdAt: Type.String(),
  }),
  frequency: 'every 15m',
  dataStrategy: 'snapshot',
  async exec(ctx) {
    const start = (await ctx.checkpoint.get<{ next?: string }>())?.next;
    const pages = ctx.paginate<Deployment>({ path: '/apis/apps/v1/deployments', query: { limit: 100 } }, { type: 'cursor', results: 'items', cursorPath: 'metadata.continue', cursorParam: 'continue', start });
    for await (const page of pages) {
      await ctx.batchSave(
        page.items.map((d) => ({
          externalId: d.metadata.uid,
          data: {
            uid: d.metadata.uid,
            namespace: d.metadata.namespace,
            name: d.metadata.name,
            replicas: d.spec.replicas ?? 1,
            readyReplicas: d.status?.readyReplicas ?? 0,
            availableReplicas: d.status?.availableReplicas ?? 0,
            upToDate: (d.status?.observedGeneration ?? 0) >= (d.metadata.generation ?? 0) && (d.status?.updatedReplicas ?? 0) === (d.spec.replicas ?? 1),
            createdAt: d.metadata.creationTimestamp,
          },
        })),
      );
      await ctx.checkpoint.save({ next: page.next === undefined ? undefined : String(page.next) });
    }
  },
};

export default defineConnector({
  key: 'kubernetes',
  name: 'Kubernetes',
  description: 'Deployments of a Kubernetes cluster and the API server’s readiness, read with a service account token.',
  category: 'ops',
  icon: monogramIcon('K8', '#326ce5'),
  capabilities: ['proxy', 'records'],
  connectionMode: 'apiKey',
  connectionConfig: {
    server: {
      label: 'API server',
      help: 'The host (and port) of the cluster’s API server, as in the server: line of a kubeconfig, without https://.',
      placeholder: 'k8s.example.com:6443',
      format: 'hostname',
      pattern: '[A-Za-z0-9][A-Za-z0-9.-]*(:[0-9]{1,5})?',
      patternHint: 'is a host name with an optional port, such as k8s.example.com:6443',
    },
  },
  auth: {
    fields: {
      token: {
        label: 'Service account token',
        help: 'kubectl create token <service-account> --duration=8760h, for an account bound to a role that may list deployments (view is enough).',
        pattern: '[A-Za-z0-9_.-]{20,}',
        patternHint: 'is a bearer token (a JWT: three dot-separated parts)',
        secret: true,
      },
    },
    inject: { in: 'header', name: 'Authorization', format: 'Bearer {token}' },
  },
  baseUrls: { production: 'https://{server}' },
  // No rateLimit: API Priority and Fairness shares the server's capacity; 429s carry Retry-After.
  uiEmbeds: [{ surface: 'connection', placement: 'tab', title: 'Deployments' }],
  docsUrl: 'https://kubernetes.io/docs/reference/kubernetes-api/',
  syncs: [deployments],

  async testConnection(ctx) {
    // Who the token is (refused when it is not valid), then whether the server is ready.
    const review = expectOk(
      await ctx.http.request<{ status: { userInfo: { username?: string; groups?: string[] } } }>({
        method: 'POST',
        path: '/apis/authentication.k8s.io/v1/selfsubjectreviews',
        body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
      }),
    );
    const ready = await ctx.http.request<unknown>({ path: '/readyz' });
    if (ready.status !== 200) throw new ProviderFailureError('provider_unavailable', `the Kubernetes API server is not ready (readyz answered ${ready.status})`, { response: ready });
    return connected({ name: review.body.status.userInfo.username, server: ctx.config.server, ready: true });
  },
});
