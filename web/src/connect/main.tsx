/**
 * The Connect UI's entry (web/connect.html, served at /connect and at the widgets' /connect/embed
 * and /connect/embed/sync). The session
 * (or embed) token rides in the URL's fragment — never sent to a server — and is kept for this tab
 * only, so a reload still works while the URL no longer shows it.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ConnectApp } from './app.tsx';
import { EmbedApp } from './embed.tsx';
import { EmbedSyncApp } from './embed-sync.tsx';
import '../tokens.css';
import './connect.css';

function takeToken(prefix: string): string | undefined {
  const params = new URLSearchParams(window.location.hash.slice(1));
  const fromHash = params.get('token') ?? undefined;
  const key = `patchbay.${window.location.pathname}.${new URLSearchParams(window.location.search).get('session') ?? new URLSearchParams(window.location.search).get('embed') ?? ''}`;
  if (fromHash?.startsWith(prefix)) {
    try {
      sessionStorage.setItem(key, fromHash);
    } catch {
      // No storage: the token lives in memory only.
    }
    history.replaceState(null, '', window.location.pathname + window.location.search);
    return fromHash;
  }
  try {
    return sessionStorage.getItem(key) ?? undefined;
  } catch {
    return undefined;
  }
}

const query = new URLSearchParams(window.location.search);
const page = window.location.pathname.replace(/\/+$/, '');
// The token is taken once: taking it removes it from the URL.
const view =
  page === '/connect/embed/sync' ? (
    <EmbedSyncApp token={takeToken('pb_et_')} connectionId={query.get('connection') ?? undefined} model={query.get('model') ?? undefined} />
  ) : page === '/connect/embed' ? (
    <EmbedApp token={takeToken('pb_et_')} connectionId={query.get('connection') ?? undefined} />
  ) : (
    <ConnectApp token={takeToken('pb_cs_')} only={query.get('integration') ?? undefined} />
  );
createRoot(document.getElementById('root')!).render(<StrictMode>{view}</StrictMode>);
