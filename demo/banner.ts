/**
 * What `npm start` promises a newcomer, in one place: the start banner and the
 * `demo-credentials.txt` file are both generated here from the same list of links, and
 * test/demo/banner.test.ts requests every link (with its method and body), so nothing printed can
 * point at a page that does not exist. A new screen adds its link here.
 */

/** One address the banner or the credentials file hands out, and how a person would use it. */
export interface DemoLink {
  label: string;
  url: string;
  method: 'GET' | 'POST';
  /** JSON body of a POST. */
  body?: Record<string, string>;
  /** Used with the dev API key (`Authorization: Bearer …`). */
  withApiKey?: boolean;
}

export interface DemoBannerInput {
  /** The hub's public URL (`PUBLIC_URL`, or `http://localhost:$PORT`). */
  url: string;
  /** The address the hub listens on (`HOST`). */
  host: string;
  port: number;
  connection: { id: string; connectorKey: string; status: string; accountName?: string | undefined };
  credentialsFile: string;
  /** Only on the first start. */
  credentials?: { email: string; password: string; apiKey: string } | undefined;
}

const WILDCARDS = ['0.0.0.0', '::', ''];

/** The hub's own pages and routes a newcomer is pointed at (no demo data needed). */
export function hubLinks(url: string, login?: { email: string; password: string }): DemoLink[] {
  return [
    { label: 'Dashboard', url: `${url}/`, method: 'GET' },
    { label: 'API docs', url: `${url}/api/v1/docs`, method: 'GET' },
    { label: 'OpenAPI', url: `${url}/api/v1/openapi.json`, method: 'GET' },
    { label: 'Sign in', url: `${url}/api/v1/auth/login`, method: 'POST', ...(login ? { body: login } : {}) },
  ];
}

/** Every link of the banner, in the order it prints them. */
export function demoLinks(input: { url: string; connection: { id: string }; credentials?: DemoBannerInput['credentials'] }): DemoLink[] {
  const login = input.credentials ? { email: input.credentials.email, password: input.credentials.password } : undefined;
  return [...hubLinks(input.url, login), { label: 'Try', url: `${input.url}/api/v1/connections/${input.connection.id}`, method: 'GET', withApiKey: true }];
}

/** Where the hub listens, said plainly: loopback only, or every interface (reachable from the network). */
export function listeningLine(host: string, port: number): string {
  if (WILDCARDS.includes(host)) return `  Listening on every interface (${host || '0.0.0.0'}:${port}): anyone who can reach this machine can reach the demo.`;
  if (host === '127.0.0.1' || host === '::1' || host === 'localhost') return `  Listening on ${host}:${port} only (this machine); set HOST=0.0.0.0 to listen on every interface.`;
  return `  Listening on ${host}:${port}.`;
}

/** The start banner, printed straight to the terminal (credentials never go through the logger). */
export function demoBanner(input: DemoBannerInput): string[] {
  const links = demoLinks(input);
  const link = (label: string) => links.find((l) => l.label === label)!;
  const { connection, credentials } = input;
  const account = connection.accountName ? ` (${connection.accountName})` : '';
  const lines = [
    '',
    `  Patchbay is running at ${input.url} (the API is under /api/v1)`,
    listeningLine(input.host, input.port),
    `  Dashboard:  ${link('Dashboard').url}`,
    `  API docs:   ${link('API docs').url}  (OpenAPI: ${link('OpenAPI').url})`,
    `  Demo connection in dev: ${connection.id} — ${connection.connectorKey}${account}, ${connection.status}`,
  ];
  if (credentials) {
    lines.push(
      `  Sign in:    ${link('Dashboard').url} with ${credentials.email} / ${credentials.password}`,
      `  Dev API key (shown once; also saved in ${input.credentialsFile}):`,
      `    ${credentials.apiKey}`,
      `  Try:        curl -H "Authorization: Bearer ${credentials.apiKey}" ${link('Try').url}`,
    );
  } else {
    lines.push(`  Demo sign-in and dev API key: ${input.credentialsFile}`);
  }
  lines.push('  Stop with Ctrl-C.', '');
  return lines;
}

/** The 0600 credentials file written on the first start: the same links as the banner. */
export function credentialsFileText(input: { url: string; email: string; password: string; apiKey: string }): string {
  const [dashboard, docs, , signIn] = hubLinks(input.url);
  return [
    `dashboard:   ${dashboard!.url}`,
    `sign-in:     ${dashboard!.url} (API: ${signIn!.method} ${signIn!.url})`,
    `login:       ${input.email}`,
    `password:    ${input.password}`,
    `dev API key: ${input.apiKey}`,
    `API docs:    ${docs!.url}`,
    '',
  ].join('\n');
}
