/**
 * `npm install` on the Node version we support must print no EBADENGINE warning: every package
 * in the lock file accepts the running Node (20.19+ is the floor in package.json `engines`).
 * Several newer majors (cookie 2, content-disposition 3) want Node 22; package.json `overrides`
 * pin them to the previous major, whose API the depending packages use identically.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import Fastify from 'fastify';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { version?: string; engines?: { node?: string } | string[]; dev?: boolean }>;
};
const floor = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;

function nodeRange(engines: { node?: string } | string[] | undefined): string | undefined {
  return engines && !Array.isArray(engines) ? engines.node : undefined;
}

describe('install on Node 20', () => {
  it('locks no package whose engines refuse the running Node or the lowest Node we support', () => {
    const lowest = semver.minVersion(floor)!.version;
    const refused: string[] = [];
    for (const [where, entry] of Object.entries(lock.packages)) {
      const range = nodeRange(entry.engines);
      if (!where || !range) continue;
      for (const version of [process.versions.node, lowest]) {
        if (!semver.satisfies(version, range)) refused.push(`${where}@${entry.version} wants node ${range} (checked ${version})`);
      }
    }
    expect(refused).toEqual([]);
  });

  it('sets and reads cookies and sends downloads through the overridden cookie and content-disposition', async () => {
    const app = Fastify();
    await app.register(fastifyCookie);
    await app.register(fastifyStatic, { root: path.join(root, 'test/install'), serve: false });
    app.get('/set', async (_request, reply) => reply.setCookie('sid', 'x y', { httpOnly: true, path: '/' }).send({ ok: true }));
    app.get('/read', async (request) => ({ cookies: request.cookies }));
    app.get('/download', async (_request, reply) => reply.download('engines.test.ts', 'my engines.ts'));
    try {
      const set = await app.inject({ url: '/set' });
      expect(set.headers['set-cookie']).toBe('sid=x%20y; Path=/; HttpOnly; SameSite=Lax');
      const read = await app.inject({ url: '/read', cookies: { sid: 'x y', theme: 'dark' } });
      expect(read.json()).toEqual({ cookies: { sid: 'x y', theme: 'dark' } });
      const download = await app.inject({ url: '/download' });
      expect(download.statusCode).toBe(200);
      expect(download.headers['content-disposition']).toBe('attachment; filename="my engines.ts"');
    } finally {
      await app.close();
    }
  });
});
