/**
 * The embeddable connections widget (`/connect/embed#token=pb_et_…`): one end customer's
 * connections with their status and last sync, themed like the Connect UI; with
 * `?connection=<id>`, the status card of that one connection. With an embed token
 * that carries `connect`, each connection has Reconnect and Disconnect buttons (Disconnect asks
 * first) and the list a Connect button; Connect and Reconnect open the Connect UI in a popup, and
 * the list refreshes when it reports a connection.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { CHANNEL, isConnectUiMessage } from '../sdk/protocol.ts';
import type { ThemeSpec } from './api.ts';
import { embedCall as call, failureOf, type EmbedFailure } from './embed-api.ts';
import { fill, wordsFor, type Words } from './i18n.ts';
import { Header, Message } from './screens.tsx';
import { applyTheme } from './theme.ts';
import { useFitFrame } from './use-fit-frame.ts';

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

export function EmbedApp({ token, connectionId }: { token: string | undefined; connectionId?: string | undefined }) {
  const [listing, setListing] = useState<Listing>();
  const [failed, setFailed] = useState<EmbedFailure>();
  const [said, setSaid] = useState('');
  const { words } = useMemo(() => wordsFor(null), []);
  const shell = useRef<HTMLDivElement>(null);
  useFitFrame(shell);

  const load = useCallback(async () => {
    if (!token) return setFailed('expired');
    try {
      setListing(await call<Listing>(token, 'GET', `/api/v1/embed/connections${connectionId ? `?connectionId=${encodeURIComponent(connectionId)}` : ''}`));
    } catch (err) {
      setFailed(failureOf(err));
    }
  }, [token, connectionId]);

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

  const disconnect = async (connection: EmbeddedConnection) => {
    if (!token) return;
    try {
      await call(token, 'DELETE', `/api/v1/embed/connections/${encodeURIComponent(connection.id)}`);
      setSaid(fill(words.disconnectedAccount, { name: connection.integrationName }));
      await load();
    } catch (err) {
      setFailed(failureOf(err) === 'expired' ? 'expired' : 'unreachable');
    }
  };

  return (
    <div className="pc-shell pc-embed" ref={shell}>
      <Header theme={listing?.theme ?? null} title={connectionId ? words.accountStatus : words.connections} />
      <main className="pc-main">
        {failed ? (
          <Message
            tone="danger"
            title={failed === 'expired' ? words.embedExpired : failed === 'missing' ? words.connectionMissing : words.unreachable}
            body={failed === 'expired' ? words.embedExpiredBody : ''}
          />
        ) : null}
        {!failed && !listing ? (
          <p className="pc-muted" role="status">
            {words.loading}
          </p>
        ) : null}
        <p className="pc-live" role="status">
          {said}
        </p>
        {listing && !failed ? (
          <>
            {listing.data.length === 0 ? <p className="pc-muted">{words.noConnections}</p> : null}
            <ul className="pc-list">
              {listing.data.map((c) => (
                <ConnectionCard key={c.id} connection={c} canConnect={listing.canConnect} words={words} onReconnect={() => void open(c.id)} onDisconnect={() => disconnect(c)} />
              ))}
            </ul>
            {listing.canConnect && !connectionId ? (
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

function ConnectionCard({
  connection: c,
  canConnect,
  words,
  onReconnect,
  onDisconnect,
}: {
  connection: EmbeddedConnection;
  canConnect: boolean;
  words: Words;
  onReconnect: () => void;
  onDisconnect: () => Promise<void>;
}) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const confirm = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (confirming) confirm.current?.focus();
  }, [confirming]);
  return (
    <li className="pc-card pc-connection">
      <div className="pc-connection-head">
        <span className="pc-list-name">{c.integrationName}</span>
        <span className={`pc-badge pc-badge-${c.status}`}>{words[STATUS_WORD[c.status]]}</span>
      </div>
      <p className="pc-connection-id">{c.id}</p>
      <p className="pc-help">
        {words.lastSync}: {c.lastSyncAt ? new Date(c.lastSyncAt).toLocaleString() : words.never}
      </p>
      {c.statusMessage || c.lastError ? <p className="pc-field-error">{c.statusMessage ?? c.lastError}</p> : null}
      {canConnect && confirming ? (
        <div className="pc-confirm" role="group" aria-label={fill(words.disconnectTitle, { name: c.integrationName })}>
          <p>{fill(words.disconnectConfirm, { name: c.integrationName })}</p>
          <div className="pc-actions">
            <button
              ref={confirm}
              type="button"
              className="pc-button pc-button-danger"
              disabled={busy}
              onClick={() => {
                setBusy(true);
                void onDisconnect().finally(() => setBusy(false));
              }}
            >
              {words.disconnect}
            </button>
            <button type="button" className="pc-button pc-button-secondary" onClick={() => setConfirming(false)}>
              {words.cancel}
            </button>
          </div>
        </div>
      ) : canConnect ? (
        <div className="pc-actions">
          {c.reconnectable ? (
            <button type="button" className="pc-button pc-button-secondary" onClick={onReconnect} aria-label={`${words.reconnect} ${c.integrationName}`}>
              {words.reconnect}
            </button>
          ) : null}
          <button type="button" className="pc-button pc-button-quiet" onClick={() => setConfirming(true)} aria-label={`${words.disconnect} ${c.integrationName}`}>
            {words.disconnect}
          </button>
        </div>
      ) : null}
    </li>
  );
}
