/**
 * `npm start` keeps its promises: it listens on loopback unless `HOST` says otherwise and says
 * so, and every address its banner and `demo-credentials.txt` hand out answers as the banner
 * says it will (the links are declared once, in demo/banner.ts, with their method and body).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoLinks, listeningLine, type DemoLink } from '../../demo/banner.ts';
import { createPostgresDatabase, dropPostgresDatabase, onPostgres, tempDir } from '../support/db.ts';
import { ROOT, childEnv, startTs, type Child } from '../support/process.ts';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Local addresses of the sockets listening on `port`, from the kernel's own table. */
function listeningAddresses(port: number): string[] {
  const found: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!fs.existsSync(file)) continue;
    for (const line of fs.readFileSync(file, 'utf8').split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (!local || state !== '0A') continue; // 0A: LISTEN
      const [hexAddress, hexPort] = local.split(':');
      if (parseInt(hexPort!, 16) !== port) continue;
      if (hexAddress!.length === 8) found.push(Buffer.from(hexAddress!, 'hex').reverse().join('.'));
      else found.push(hexAddress === '00000000000000000000000000000000' ? '::' : `ipv6:${hexAddress}`);
    }
  }
  return found;
}

const urlsIn = (text: string): string[] => [...text.matchAll(/https?:\/\/[^\s)"']+/g)].map((m) => m[0]);

let dataDir: string;
let hub: Child;
let port: number;
let banner: string;
let apiKey: string;
let dropDatabase: (() => Promise<void>) | undefined;

beforeAll(async () => {
  dataDir = tempDir('banner');
  port = await freePort();
  const env = childEnv({ PATCHBAY_DATA_DIR: dataDir, PORT: String(port), HOST: undefined, PUBLIC_URL: undefined });
  if (onPostgres()) {
    const url = await createPostgresDatabase();
    dropDatabase = () => dropPostgresDatabase(url);
    env.DATABASE_URL = url;
    env.PATCHBAY_SECRET_KEYS = `banner:${Buffer.alloc(32, 5).toString('base64')}`;
  }
  hub = startTs('demo/start.ts', [], env);
  await hub.waitFor(/Stop with Ctrl-C\./, 150_000);
  banner = hub.output();
  apiKey = /pb_test_[0-9a-z]+/.exec(banner)![0];
}, 180_000);

afterAll(async () => {
  await hub?.stop();
  await dropDatabase?.();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Requests a link the way the banner tells a person to use it. */
async function follow(link: DemoLink): Promise<Response> {
  const headers: Record<string, string> = {};
  if (link.withApiKey) headers.authorization = `Bearer ${apiKey}`;
  if (link.body) headers['content-type'] = 'application/json';
  // The hub listens on 127.0.0.1; the banner names it by its public URL (localhost).
  const url = link.url.replace(`http://localhost:${port}`, `http://127.0.0.1:${port}`);
  return fetch(url, { method: link.method, headers, ...(link.body ? { body: JSON.stringify(link.body) } : {}) });
}

describe('npm start on a fresh data directory', () => {
  it('listens on 127.0.0.1 only when HOST is not set, and says so in its banner', () => {
    expect(listeningAddresses(port)).toEqual(['127.0.0.1']);
    expect(banner).toContain(`Listening on 127.0.0.1:${port} only (this machine); set HOST=0.0.0.0 to listen on every interface.`);
    expect(banner).toContain(`Patchbay is running at http://localhost:${port}`);
  });

  it('answers every address its banner prints, with the method and credentials the banner gives', async () => {
    const signIn = /Sign in: +(?:POST )?\S+ with (\S+) \/ (\S+)/.exec(banner)!;
    const credentials = { email: signIn[1]!, password: signIn[2]!, apiKey };
    const links = demoLinks({ url: `http://localhost:${port}`, connection: { id: 'acme-stripe' }, credentials });
    // The base address on the first line is where the hub runs, not a page; a screen at `/` (the
    // dashboard) is a declared link of its own and is requested below like every other.
    const printed = urlsIn(banner).filter((url) => url !== `http://localhost:${port}`);
    expect(printed.length).toBeGreaterThanOrEqual(links.length);
    for (const url of printed) expect(links.map((l) => l.url), `the banner prints ${url}, which no declared link covers`).toContain(url);
    for (const link of links) {
      const res = await follow(link);
      expect(res.status, `${link.label}: ${link.method} ${link.url}`).toBe(200);
      await res.arrayBuffer();
    }
  });

  it('writes demo-credentials.txt (0600) whose addresses and credentials work', async () => {
    const file = path.join(dataDir, 'demo-credentials.txt');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toContain(apiKey);
    const email = /login: +(\S+)/.exec(text)![1]!;
    const password = /password: +(\S+)/.exec(text)![1]!;
    const links = demoLinks({ url: `http://localhost:${port}`, connection: { id: 'acme-stripe' }, credentials: { email, password, apiKey } });
    for (const url of urlsIn(text)) {
      const link = links.find((l) => l.url === url);
      expect(link, `demo-credentials.txt names ${url}, which no declared link covers`).toBeDefined();
      const res = await follow(link!);
      expect(res.status, `${link!.label}: ${url}`).toBe(200);
      await res.arrayBuffer();
    }
  });
});

describe('where the banner says the demo listens', () => {
  it('warns when the demo listens on every interface', () => {
    expect(listeningLine('0.0.0.0', 4000)).toBe('  Listening on every interface (0.0.0.0:4000): anyone who can reach this machine can reach the demo.');
    expect(listeningLine('::', 4000)).toContain('every interface');
  });
});

/** Every curl command in the README's shell blocks: continuation lines and quoted multi-line bodies joined. */
function curlExamples(markdown: string): string[] {
  const commands: string[] = [];
  for (const block of markdown.matchAll(/```sh\n([\s\S]*?)```/g)) {
    let current = '';
    for (const line of block[1]!.split('\n')) {
      if (!current && (!line.trim() || line.trim().startsWith('#'))) continue;
      current += (current ? '\n' : '') + line;
      const quoteOpen = (current.match(/'/g) ?? []).length % 2 === 1;
      if (quoteOpen || /\\\s*$/.test(line)) continue;
      commands.push(current.replace(/\\\n\s*/g, ' ').trim());
      current = '';
    }
  }
  return commands.filter((command) => /^curl\s/.test(command));
}

function sh(command: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('bash', ['-c', command], { env, timeout: 20_000 }, (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

describe("the README's curl examples", () => {
  it('each answers 2xx with JSON from the live demo hub, as written (only the port and key filled in)', async () => {
    const examples = curlExamples(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'));
    expect(examples.length).toBeGreaterThanOrEqual(5);
    const env = { ...process.env, PATCHBAY_API_KEY: apiKey };
    for (const example of examples) {
      const command = `${example.replaceAll('http://localhost:4000', `http://127.0.0.1:${port}`)} -w '\\n%{http_code}'`;
      const result = await sh(command, env);
      expect(result.code, `${example}\n${result.stderr}`).toBe(0);
      const status = Number(result.stdout.slice(result.stdout.lastIndexOf('\n') + 1));
      const body = result.stdout.slice(0, result.stdout.lastIndexOf('\n'));
      expect(status, `${example}\n${body}`).toBeGreaterThanOrEqual(200);
      expect(status, `${example}\n${body}`).toBeLessThan(300);
      expect(() => JSON.parse(body), `${example} answered no JSON: ${body}`).not.toThrow();
    }
  }, 60_000);
});
