/**
 * `npm run bench -- startup`: the embedded hub's footprint as a newcomer meets it. Each round runs
 * `npm start` on a fresh data directory (first start: database created, migrated, demo seeded),
 * stops it, and runs it again on the same directory (second start). It times each start from
 * spawn to the first healthy `/health` answer, then waits for the process tree to settle and sums
 * the resident memory (RSS, from /proc) of every process in the `npm start` process group,
 * reporting each process apart. Goal: idle < 400 MB, second start < 3 s, first start < 6 s.
 * (The dashboard is built once before the rounds: its build is not part of a start.)
 *
 * A new data directory is a copy of the migrated template `npm install` made (its postinstall,
 * `node demo/launch.mjs --prepare`, also compiles the start; see src/db/prepare.ts). The first
 * round removes the whole cache (template, initdb dump, compiled start) and runs that preparation
 * again, timed apart (`install.prepareMs`), so its first start is a newcomer's very first after
 * `npm install`.
 *
 * Source maps (2026-12-05): the launcher used to turn Node's source maps on before importing the
 * bundle. Node then reads and JSON-parses the bundle's whole linked map (15.8 MB) while loading
 * it, and keeps the result. Measured apart (a one-line module pointing at that map, imported with
 * maps on and off, twice each, while a test run loaded the machine): 1,328 and 1,066 ms with
 * 55 MB of heap, against 5 and 9 ms with 4 MB. The launcher now leaves them off unless
 * NODE_OPTIONS asks (`--enable-source-maps`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDashboardBuilt } from '../demo/build-web.ts';
import { spawnSync } from 'node:child_process';
import { pgliteCacheDir } from '../src/db/pglite-start.ts';
import { templateDir } from '../src/db/prepare.ts';
import { bounded, writeResult } from './support.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SETTLE_MS = 5_000;
const PAGE = 4096;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

interface ProcessMemory {
  pid: number;
  command: string;
  rssMb: number;
}

/** Every process of a process group, with its resident memory. */
function groupMemory(pgid: number): ProcessMemory[] {
  const found: ProcessMemory[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command (which may hold spaces) start after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== pgid) continue;
      const rssPages = Number(fs.readFileSync(`/proc/${entry}/statm`, 'utf8').split(' ')[1]);
      const command = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean).map((a) => path.basename(a)).join(' ').slice(0, 120);
      found.push({ pid: Number(entry), command, rssMb: Math.round((rssPages * PAGE) / 1024 / 1024) });
    } catch {
      // The process ended while we looked.
    }
  }
  return found.sort((a, b) => b.rssMb - a.rssMb);
}

async function healthy(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(1_000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

interface Start {
  child: ChildProcess;
  readyMs: number;
  exited: Promise<number | null>;
}

/** `npm start` in its own process group; resolves when `/health` first answers 200. */
async function start(dataDir: string, port: number): Promise<Start> {
  const began = performance.now();
  const env: NodeJS.ProcessEnv = { ...process.env, PATCHBAY_DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn' };
  delete env.DATABASE_URL;
  delete env.PATCHBAY_SECRET_KEYS;
  delete env.HOST;
  delete env.PUBLIC_URL;
  const child = spawn('npm', ['start', '--silent'], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  let gone = false;
  void exited.then(() => (gone = true));
  await bounded(
    (async () => {
      while (!(await healthy(port))) {
        if (gone) throw new Error('npm start exited before it was healthy');
        await new Promise((r) => setTimeout(r, 25));
      }
    })(),
    300_000,
    'npm start',
  );
  const started = { child, readyMs: Math.round(performance.now() - began), exited };
  running.add(started);
  return started;
}

const running = new Set<Start>();

async function stop(started: Start): Promise<void> {
  running.delete(started);
  process.kill(-started.child.pid!, 'SIGTERM');
  await bounded(started.exited, 30_000, 'stopping npm start');
  // Let every process of the group go before the next start.
  for (let i = 0; i < 100 && groupMemory(started.child.pid!).length > 0; i++) await new Promise((r) => setTimeout(r, 50));
}

async function idle(started: Start): Promise<{ totalMb: number; processes: ProcessMemory[] }> {
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const processes = groupMemory(started.child.pid!);
  return { totalMb: processes.reduce((sum, p) => sum + p.rssMb, 0), processes };
}

const loadAverageAtStart = os.loadavg().map((v) => Math.round(v * 100) / 100);
await ensureDashboardBuilt();
const first: { readyMs: number; fromTemplate: boolean }[] = [];
let prepareMs: number | undefined;
const second: { readyMs: number }[] = [];
const idleAfterFirst: { totalMb: number; processes: ProcessMemory[] }[] = [];
const idleAfterSecond: { totalMb: number; processes: ProcessMemory[] }[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-startup-'));
  try {
    if (round === 0) {
      fs.rmSync(pgliteCacheDir(), { recursive: true, force: true });
      const began = performance.now();
      const prepared = spawnSync(process.execPath, [path.join(ROOT, 'demo', 'launch.mjs'), '--prepare'], { cwd: ROOT, encoding: 'utf8' });
      prepareMs = Math.round(performance.now() - began);
      console.log(`npm install's preparation: ${prepareMs} ms — ${prepared.stdout.trim()}`);
    }
    const fromTemplate = fs.existsSync(templateDir());
    const port = await freePort();
    const a = await start(dataDir, port);
    first.push({ readyMs: a.readyMs, fromTemplate });
    idleAfterFirst.push(await idle(a));
    await stop(a);
    const b = await start(dataDir, port);
    second.push({ readyMs: b.readyMs });
    idleAfterSecond.push(await idle(b));
    await stop(b);
    console.log(`round ${round + 1}: first ${a.readyMs} ms, idle ${idleAfterFirst.at(-1)!.totalMb} MB; second ${b.readyMs} ms, idle ${idleAfterSecond.at(-1)!.totalMb} MB`);
  } finally {
    for (const left of running) process.kill(-left.child.pid!, 'SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const max = (values: number[]) => Math.max(...values);
const file = writeResult('startup', {
  loadAverageAtStart,
  settings: { rounds: ROUNDS, settleMs: SETTLE_MS, what: '`npm start` on a fresh data directory, then again on the same one; ready = first 200 from /health; RSS summed over the npm start process group' },
  install: { prepareMs, what: "`node demo/launch.mjs --prepare` (npm install's postinstall): compile the start, make the migrated template" },
  firstStart: { rounds: first },
  secondStart: { rounds: second },
  idleAfterFirstStart: { rounds: idleAfterFirst },
  idle: { rounds: idleAfterSecond },
  aim: {
    idleUnder400MB: max([...idleAfterFirst, ...idleAfterSecond].map((r) => r.totalMb)) < 400,
    secondStartUnder3s: max(second.map((r) => r.readyMs)) < 3_000,
    firstStartUnder6s: max(first.map((r) => r.readyMs)) < 6_000,
  },
});
console.log(`wrote ${file}`);
