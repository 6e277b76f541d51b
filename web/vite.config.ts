/**
 * The browser build: the operator dashboard (index.html) and, beside it, any other page of the
 * hub's web side. Each page is one entry of `PAGES`; the hub serves web/dist at `/`.
 *
 * `npm run build:web` builds; `npm run dev:web` serves with hot reload and proxies the hub's own
 * paths to a hub on http://localhost:4000 (`npm start` in another terminal).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type UserConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { tanstackRouter } from '@tanstack/router-plugin/vite';
import { connectSdk } from './src/sdk/build.ts';

const root = path.dirname(fileURLToPath(import.meta.url));

/** One HTML entry per page. The Connect UI adds `connect: path.join(root, 'connect.html')` here. */
export const PAGES: Record<string, string> = {
  dashboard: path.join(root, 'index.html'),
  connect: path.join(root, 'connect.html'),
};

/** Paths that belong to the hub, never to the dashboard (mirrors src/api/routes/dashboard.ts). */
export const HUB_PATHS = ['/api', '/oauth', '/webhooks', '/health', '/ready', '/metrics'];
const DEV_HUB = 'http://localhost:4000';

export default defineConfig(({ command }) => {
  // A build is a production build (React's production runtime, no JSX dev info) even when it is
  // started from a test run, where NODE_ENV=test; Vite reads NODE_ENV after this file, as its
  // docs advise.
  if (command === 'build') process.env.NODE_ENV = 'production';
  return config;
});

const config = {
  root,
  base: '/',
  publicDir: path.join(root, 'public'),
  plugins: [
    tanstackRouter({
      target: 'react',
      autoCodeSplitting: true,
      routesDirectory: path.join(root, 'src/routes'),
      generatedRouteTree: path.join(root, 'src/routeTree.gen.ts'),
      quoteStyle: 'single',
    }),
    react(),
    connectSdk(path.join(root, 'src/sdk')),
  ],
  build: {
    outDir: path.join(root, 'dist'),
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    // No inline data: URLs — the hub's CSP allows its own origin only.
    assetsInlineLimit: 0,
    rollupOptions: { input: PAGES },
  },
  server: {
    port: 5173,
    strictPort: false,
    proxy: Object.fromEntries(HUB_PATHS.map((prefix) => [prefix, { target: DEV_HUB, changeOrigin: false }])),
  },
} satisfies UserConfig;
