/**
 * The embeddable connections widget (`/connect/embed#token=pb_et_…`): one end customer's
 * connections with their status and last sync, themed like the Connect UI. With an embed token
 * that carries `connect`, each connection has a Reconnect button and the list a Connect button,
 * both opening the Connect UI in a popup; the list refreshes when it reports a connection.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { CHANNEL, isConnectUiMessage } from '../sdk/protocol.ts';
import type { ThemeSpec } from './api.ts';
import { embedCall as call } from './embed-api.ts';
import { wordsFor, type Words } from './i18n.ts';
import { Header, Message } from './screens.tsx';
import { applyTheme } from './theme.ts';

interface EmbeddedConnection {
  id: string;
  integrationName: string;
  status: 'connected' | 'syncing' | 'error' | 'disconnected';
  statusMessage: string | null;
  lastSyncAt: string | null;
  lastError: string | null;
  reconnectable: boolean;
}

interface Listing {
  endCustomerId: string;
  canConnect: boolean;
  theme: ThemeSpec | null;
  data: EmbeddedConnection[];
}

const STATUS_WORD: Record<EmbeddedConnection['status'], keyof Words> = { connected: 'statusConnected', syncing: 'statusSyncing', error: 'statusError', disconnected: 'statusDisconnected' };

export function EmbedApp({ token }: { token: string | undefined }) {
  const [listing, setListing] = useState<Listing>();
  const [failed, setFailed] = useState<'expired' | 'unreachable'>();
  const { words } = useMemo(() => wordsFor(null), []);

  const load = useCallback(async () => {
    if (!token) return setFailed('expired');
    try {
      setListing(await call<Listing>(token, 'GET', '/api/v1/embed/connections'));
    } catch (err) {
      setFailed((err as { status?: number }).status === 401 ? 'expired' : 'unreachable');
    }
  }, [token]);

  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => applyTheme(listing?.theme ?? null), [listing?.theme]);
  useEffect(() => {
    // The Connect UI this widget opened is on the hub's own origin: only that origin is listened to.
    const onMessage = (event: MessageEvent) => {
      if (event.origin === window.location.origin && isConnectUiMessage(event.data) && event.data.channel === CHANNEL && event.data.type === 'connected') void load();
    };
    window.addEventListener('message', onMessage);
    return () => window.removeEventListener('message', onMessage);
  }, [load]);

  const open = async (connectionId?: string) => {
    if (!token) return;
    const popup = window.open('about:blank', 'patchbay-connect', 'popup=yes,width=480,height=680');
    try {
      const made = await call<{ connectUiUrl: string }>(token, 'POST', '/api/v1/embed/connect-sessions', connectionId ? { connectionId } : {});
      if (popup) popup.location.href = made.connectUiUrl;
    } catch {
      popup?.close();
      setFailed('expired');
    }
  };

  return (
    <div className="pc-shell pc-embed">
      <Header theme={listing?.theme ?? null} title={words.connections} />
      <main className="pc-main">
        {failed ? <Message tone="danger" title={failed === 'expired' ? words.embedExpired : words.unreachable} body="" /> : null}
        {!failed && !listing ? <p className="pc-muted" role="status">{words.loading}</p> : null}
        {listing && !failed ? (
          <>
            {listing.data.length === 0 ? <p className="pc-muted">{words.noConnections}</p> : null}
            <ul className="pc-list">
              {listing.data.map((c) => (
                <li key={c.id} className="pc-card pc-connection">
                  <div className="pc-connection-head">
                    <span className="pc-list-name">{c.integrationName}</span>
                    <span className={`pc-badge pc-badge-${c.status}`}>{words[STATUS_WORD[c.status]]}</span>
                  </div>
                  <p className="pc-connection-id">{c.id}</p>
                  <p className="pc-help">
                    {words.lastSync}: {c.lastSyncAt ? new Date(c.lastSyncAt).toLocaleString() : words.never}
                  </p>
                  {c.statusMessage || c.lastError ? <p className="pc-field-error">{c.statusMessage ?? c.lastError}</p> : null}
                  {listing.canConnect && c.reconnectable ? (
                    <button type="button" className="pc-button pc-button-secondary" onClick={() => void open(c.id)} aria-label={`${words.reconnect} ${c.integrationName}`}>
                      {words.reconnect}
                    </button>
                  ) : null}
                </li>
              ))}
            </ul>
            {listing.canConnect ? (
              <button type="button" className="pc-button pc-button-primary" onClick={() => void open()}>
                {words.connectNew}
              </button>
            ) : null}
          </>
        ) : null}
      </main>
    </div>
  );
}
