/**
 * Runs the demo launcher (what `npm start` runs) as a child process, for the demo tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import fs from 'node:fs';
import { createPostgresDatabase, dropPostgresDatabase, onPostgres, tempDir } from '../support/db.ts';

export interface DemoRun {
  child: ChildProcess;
  output: string;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The environment of a demo on a fresh data directory (and a fresh PostgreSQL database when the suite runs on one). */
export async function demoEnvironment(cleanups: (() => Promise<void>)[]): Promise<{ env: NodeJS.ProcessEnv; port: number }> {
  const dataDir = tempDir('demo');
  cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HOST: '127.0.0.1', PATCHBAY_DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
  delete env.PUBLIC_URL;
  delete env.DATABASE_URL;
  delete env.PATCHBAY_SECRET_KEYS;
  if (onPostgres()) {
    const url = await createPostgresDatabase();
    cleanups.push(() => dropPostgresDatabase(url));
    env.DATABASE_URL = url;
    env.PATCHBAY_SECRET_KEYS = `demo:${Buffer.alloc(32, 7).toString('base64')}`;
  }
  return { env, port };
}

/** Starts the demo and waits until it says it is ready. */
export async function startDemo(env: NodeJS.ProcessEnv, started: ChildProcess[]): Promise<DemoRun> {
  const child = spawn(process.execPath, ['demo/launch.mjs'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let output = '';
  let errors = '';
  child.stdout!.on('data', (chunk) => (output += String(chunk)));
  child.stderr!.on('data', (chunk) => (errors += String(chunk)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the demo did not start in time: ${output}${errors}`)), 90_000);
    child.stdout!.on('data', () => {
      if (output.includes('Stop with Ctrl-C.')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the demo exited with ${code}: ${output}${errors}`));
    });
  });
  return { child, output };
}

export async function stopDemo(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  return exited;
}
