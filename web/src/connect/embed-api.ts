/** The embedded widgets' calls to their hub, authenticated by the embed token (pb_et_…). */
export async function embedCall<T>(token: string, method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
  if (!res.ok) throw Object.assign(new Error(res.statusText), { status: res.status });
  return (await res.json()) as T;
}

/** Why a widget shows no data: its token expired (or is unknown), the connection is not the customer's, or the hub is out of reach. */
export type EmbedFailure = 'expired' | 'missing' | 'unreachable';

export const failureOf = (err: unknown): EmbedFailure => {
  const status = (err as { status?: number }).status;
  return status === 401 ? 'expired' : status === 404 ? 'missing' : 'unreachable';
};
