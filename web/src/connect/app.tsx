/**
 * The Connect UI: the session's integrations (one skips the list), the form or the OAuth popup,
 * then the success screen — telling the page that opened it at each step.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { api, ApiError, type Integration, type Session } from './api.ts';
import { CredentialForm, type Connected } from './credential-form.tsx';
import { fill, wordsFor, type Words } from './i18n.ts';
import { createMessenger, type Messenger } from './messenger.ts';
import { runOAuthPopup } from './oauth-popup.ts';
import { applyTheme, mergeThemes } from './theme.ts';
import { IntegrationList } from './integration-list.tsx';
import { Header, IntegrationIcon, Message } from './screens.tsx';

type View =
  | { kind: 'loading' }
  | { kind: 'problem'; title: string; body: string }
  | { kind: 'list' }
  | { kind: 'integration'; integration: Integration }
  | { kind: 'done'; integration: Integration; result: Connected };

const iconOf = (integration: Integration) => <IntegrationIcon integration={integration} />;

export function ConnectApp({ token, only }: { token: string | undefined; only: string | undefined }) {
  const [session, setSession] = useState<Session>();
  const [view, setView] = useState<View>({ kind: 'loading' });
  const messenger = useRef<Messenger>(undefined);
  const { words, lang } = useMemo(() => wordsFor(session?.locale), [session?.locale]);

  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);

  useEffect(() => {
    if (!token) {
      const { words: w } = wordsFor(null);
      setView({ kind: 'problem', title: w.expired, body: fill(w.expiredBody, { product: w.theApp }) });
      return;
    }
    api
      .session(token)
      .then((loaded) => {
        setSession(loaded);
        messenger.current = createMessenger([...new Set([...loaded.origins, window.location.origin])]);
        messenger.current.send({ type: 'opened' });
        const { words: w } = wordsFor(loaded.locale);
        const name = loaded.theme?.productName ?? w.theApp;
        if (loaded.used) return setView({ kind: 'problem', title: w.used, body: fill(w.usedBody, { product: name }) });
        const pick = loaded.integrations.filter((i) => !only || i.id === only || i.key === only);
        if (pick.length === 0) return setView({ kind: 'problem', title: w.title, body: fill(w.noIntegrations, { product: name }) });
        if (pick.length === 1) return setView({ kind: 'integration', integration: pick[0]! });
        setView({ kind: 'list' });
      })
      .catch((err: unknown) => {
        const { words: w } = wordsFor(null);
        if (err instanceof ApiError && err.problem.status === 401) {
          createMessenger([window.location.origin]).send({ type: 'error', reason: 'expired', message: w.expired });
          setView({ kind: 'problem', title: w.expired, body: fill(w.expiredBody, { product: w.theApp }) });
        } else setView({ kind: 'problem', title: w.title, body: w.unreachable });
      });
    return () => messenger.current?.stop();
  }, [token, only]);

  // The integration on screen shows in its default theme, under the session's.
  const shownIntegration = view.kind === 'integration' || view.kind === 'done' ? view.integration : undefined;
  const theme = mergeThemes(shownIntegration?.theme ?? (session?.integrations.length === 1 ? session.integrations[0]!.theme : null), session?.theme);
  const themeKey = JSON.stringify(theme);
  useEffect(() => applyTheme(theme), [themeKey]);
  const product = theme?.productName ?? words.theApp;

  const choose = (integration: Integration) => {
    messenger.current?.send({ type: 'integration_selected', integrationId: integration.id });
    setView({ kind: 'integration', integration });
  };
  const connected = (integration: Integration, result: Connected) => {
    messenger.current?.send({ type: 'connected', ...result });
    setView({ kind: 'done', integration, result });
  };
  const finish = () => {
    messenger.current?.send({ type: 'closed' });
    if (window.opener) window.close();
  };
  // Opened by a page (popup or modal frame): Close and Escape end it and tell that page.
  const opened = Boolean(window.opener) || window.parent !== window;
  useEffect(() => {
    if (!opened) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') finish();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  const reconnect = Boolean(session?.connectionId);
  const many = (session?.integrations.length ?? 0) > 1 && !only;
  return (
    <div className="pc-shell">
      <Header theme={theme} title={reconnect ? words.reconnectTitle : words.title} onClose={opened ? finish : undefined} closeLabel={words.close} />
      <main className="pc-main" id="main">
        {view.kind === 'loading' ? <p className="pc-muted" role="status">{words.loading}</p> : null}
        {view.kind === 'problem' ? <Message tone="danger" title={view.title} body={view.body} /> : null}
        {view.kind === 'list' && session ? <IntegrationList integrations={session.integrations} words={words} onChoose={choose} /> : null}
        {view.kind === 'integration' && session && token ? (
          <section aria-labelledby="pc-integration-title" className="pc-card">
            {many ? (
              <button type="button" className="pc-button pc-button-quiet pc-back" onClick={() => setView({ kind: 'list' })}>
                ← {words.back}
              </button>
            ) : null}
            <div className="pc-integration-head">
              {iconOf(view.integration)}
              <h2 id="pc-integration-title">{fill(reconnect ? words.reconnectTo : words.connectTo, { name: view.integration.name })}</h2>
            </div>
            <p className="pc-muted">{view.integration.description}</p>
            {view.integration.connectionMode === 'oauth' ? (
              <OAuthStep token={token} session={session} integration={view.integration} words={words} onConnected={(r) => connected(view.integration, r)} />
            ) : (
              <CredentialForm
                token={token}
                integration={view.integration}
                reconnect={reconnect}
                words={words}
                onConnected={(r) => connected(view.integration, r)}
                onFatal={(err) =>
                  err.problem.type.endsWith('/connect-session-used')
                    ? setView({ kind: 'problem', title: words.used, body: fill(words.usedBody, { product }) })
                    : err.problem.status === 401
                      ? setView({ kind: 'problem', title: words.expired, body: fill(words.expiredBody, { product }) })
                      : setView({ kind: 'problem', title: words.refused, body: err.message })
                }
              />
            )}
          </section>
        ) : null}
        {view.kind === 'done' ? (
          <section className="pc-card pc-done" aria-labelledby="pc-done-title">
            {iconOf(view.integration)}
            <h2 id="pc-done-title">{fill(reconnect ? words.reconnected : words.connected, { name: view.integration.name })}</h2>
            <p>{fill(words.connectedBody, { product })}</p>
            {opened ? (
              <button type="button" className="pc-button pc-button-primary" onClick={finish}>
                {words.done}
              </button>
            ) : null}
          </section>
        ) : null}
      </main>
    </div>
  );
}

const FAILURES: Record<string, keyof Words> = {
  popup_closed: 'popupClosed',
  popup_blocked: 'popupBlocked',
  access_denied: 'denied',
  state_unknown: 'stateMismatch',
  other_browser: 'stateMismatch',
  state_expired: 'expired',
  session_invalid: 'expired',
  session_used: 'used',
};

function OAuthStep({ token, session, integration, words, onConnected }: { token: string; session: Session; integration: Integration; words: Words; onConnected: (r: Connected) => void }) {
  const [state, setState] = useState<{ kind: 'idle' } | { kind: 'waiting' } | { kind: 'failed'; message: string }>({ kind: 'idle' });
  const cancel = useRef<() => void>(undefined);
  useEffect(() => () => cancel.current?.(), []);
  const start = async () => {
    const url = new URL(`/oauth/connect/${encodeURIComponent(integration.id)}`, window.location.origin);
    url.searchParams.set('connectSession', token);
    if (session.connectionId) url.searchParams.set('connectionId', session.connectionId);
    const run = runOAuthPopup(url.href);
    cancel.current = run.cancel;
    setState({ kind: 'waiting' });
    const outcome = await run.outcome;
    if (outcome.ok) return onConnected({ connectionId: outcome.connectionId, integrationId: integration.id, endCustomerId: session.endCustomerId });
    const key = FAILURES[outcome.failure];
    setState({ kind: 'failed', message: key ? fill(words[key], { name: integration.name }) : fill(words.failed, { message: outcome.failure }) });
  };
  return (
    <div className="pc-form">
      <p>{fill(words.oauthIntro, { name: integration.name })}</p>
      <div role="status" aria-live="polite" className="pc-live">
        {state.kind === 'waiting' ? <p className="pc-muted">{fill(words.oauthWaiting, { name: integration.name })}</p> : null}
      </div>
      {state.kind === 'failed' ? (
        <div role="alert" className="pc-notice pc-notice-danger">
          <p>{state.message}</p>
        </div>
      ) : null}
      <div className="pc-actions">
        <button type="button" className="pc-button pc-button-primary" disabled={state.kind === 'waiting'} onClick={() => void start()}>
          {state.kind === 'failed' ? words.tryAgain : fill(words.oauthContinue, { name: integration.name })}
        </button>
      </div>
    </div>
  );
}
