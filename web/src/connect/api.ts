/** The Connect UI's calls to its hub, authenticated by the session (or embed) token. */
export interface Field {
  name: string;
  label: string;
  help?: string;
  placeholder?: string;
  format?: 'text' | 'url' | 'hostname' | 'email';
  pattern?: string;
  patternHint?: string;
  required?: boolean;
  secret?: boolean;
  default?: string;
}

export interface Integration {
  id: string;
  key: string;
  name: string;
  connectorKey: string;
  connectionMode: string;
  description: string;
  icon: string;
  fields: Field[];
  configFields: Field[];
  theme: ThemeSpec | null;
}

export interface ThemeSpec {
  tokens?: Record<string, string>;
  dark?: Record<string, string>;
  colorScheme?: 'light' | 'dark' | 'system';
  productName?: string;
  logo?: string;
}

export interface Session {
  id: string;
  endCustomerId: string;
  expiresAt: string;
  used: boolean;
  connectionId: string | null;
  theme: ThemeSpec | null;
  locale: string | null;
  origins: string[];
  integrations: Integration[];
}

export interface TestOutcome {
  ok: boolean;
  code?: string;
  message?: string;
  hint?: string;
  status?: number;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: { field: string; message: string }[];
  test?: TestOutcome;
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title);
  }
}

async function call<T>(token: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const data = (await res.json().catch(() => ({ type: 'about:blank', title: res.statusText, status: res.status }))) as T & Problem;
  if (!res.ok) throw new ApiError(data);
  return data;
}

export interface ConnectInput {
  integration: string;
  credentials: Record<string, string>;
  config: Record<string, string>;
}

export const api = {
  session: (token: string) => call<Session>(token, 'GET', '/api/v1/connect/session'),
  test: (token: string, input: ConnectInput) => call<TestOutcome>(token, 'POST', '/api/v1/connect/session/test', input),
  connect: (token: string, input: ConnectInput) =>
    call<{ connectionId: string; integrationId: string; endCustomerId: string; replaced: boolean }>(token, 'POST', '/api/v1/connect/session/connections', input),
};
