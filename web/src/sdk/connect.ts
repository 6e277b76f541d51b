/**
 * `@patchbay/connect`: open Patchbay's Connect UI from a product's page.
 *
 *   import { openConnect } from 'https://hub.example.com/sdk/connect.js';
 *   const { connectionId } = await openConnect({ sessionToken, mode: 'modal', onEvent: console.log });
 *
 * The promise resolves with the new (or reconnected) connection, or rejects with a
 * `ConnectError` whose `reason` is `closed`, `expired`, `denied` or `error`. Messages are accepted
 * only from the hub's exact origin and only from the window this call opened; any other message
 * is ignored and counted (`ignored_message` events, `ignoredMessages()`).
 */
import { CHANNEL as PROTOCOL_CHANNEL, embedIdOf, isConnectUiMessage, isWidgetResize, sessionIdOf, type ConnectUiMessage } from './protocol.ts';

export type ConnectMode = 'popup' | 'modal';
export type ConnectFailure = 'closed' | 'expired' | 'denied' | 'error';

export interface ConnectResult {
  connectionId: string;
  integrationId: string;
  endCustomerId: string;
}

export type ConnectEvent =
  | { type: 'opened' }
  | { type: 'integration_selected'; integrationId: string }
  | ({ type: 'connected' } & ConnectResult)
  | { type: 'closed' }
  | { type: 'ignored_message'; origin: string };

export interface OpenConnectOptions {
  /** The token of a connect session your backend made (`POST /api/v1/connect/sessions`). */
  sessionToken: string;
  /** `popup` (default) opens a window; `modal` an accessible dialog with the Connect UI in a frame. */
  mode?: ConnectMode;
  onEvent?: (event: ConnectEvent) => void;
  /** The hub's URL; by default the origin this module was loaded from. */
  hubUrl?: string;
  /** Only this integration (id or key): the list is skipped. */
  integration?: string;
}

export class ConnectError extends Error {
  constructor(
    readonly reason: ConnectFailure,
    message: string,
  ) {
    super(message);
    this.name = 'ConnectError';
  }
}

let ignored = 0;
/** How many messages from other origins or windows were ignored on this page. */
export const ignoredMessages = (): number => ignored;

// Styles are set through the CSSOM, which a page's strict CSP (style-src 'self') allows, unlike a <style> element.
const DIALOG_STYLE = 'width:min(480px,100vw);height:min(680px,100vh);max-width:100vw;max-height:100vh;padding:0;border:0;border-radius:12px;overflow:hidden;box-shadow:0 8px 40px rgb(0 0 0/30%)';
const FRAME_STYLE = 'width:100%;height:100%;border:0;display:block';
const LENGTH = /^\d{1,4}(?:px|vh|rem|em|%)$/;

function moduleOrigin(): string {
  try {
    return new URL(import.meta.url).origin;
  } catch {
    return window.location.origin;
  }
}

function connectUrl(hub: string, options: OpenConnectOptions): string {
  const url = new URL('/connect', hub);
  const session = sessionIdOf(options.sessionToken);
  if (session) url.searchParams.set('session', session);
  if (options.integration) url.searchParams.set('integration', options.integration);
  url.searchParams.set('mode', options.mode ?? 'popup');
  url.hash = `token=${encodeURIComponent(options.sessionToken)}`;
  return url.href;
}

function mountDialog(url: string, onCancel: () => void): { dialog: HTMLDialogElement; frame: HTMLIFrameElement } {
  const dialog = document.createElement('dialog');
  dialog.className = 'patchbay-connect-dialog';
  dialog.style.cssText = DIALOG_STYLE;
  dialog.setAttribute('aria-label', 'Connect an account');
  const frame = document.createElement('iframe');
  frame.title = 'Connect an account';
  frame.src = url;
  frame.allow = 'clipboard-write';
  frame.style.cssText = FRAME_STYLE;
  dialog.append(frame);
  dialog.addEventListener('cancel', (event) => {
    event.preventDefault();
    onCancel();
  });
  document.body.append(dialog);
  dialog.showModal();
  return { dialog, frame };
}

/**
 * Opens the Connect UI for a connect session.
 *
 * @example
 * try {
 *   const { connectionId } = await openConnect({ sessionToken: token, mode: 'popup' });
 * } catch (err) {
 *   if (err instanceof ConnectError && err.reason === 'closed') // the end customer closed it
 * }
 */
export function openConnect(options: OpenConnectOptions): Promise<ConnectResult> {
  if (typeof options?.sessionToken !== 'string' || !options.sessionToken.startsWith('pb_cs_')) {
    return Promise.reject(new ConnectError('error', 'openConnect needs the sessionToken (pb_cs_…) of a connect session.'));
  }
  const hub = new URL(options.hubUrl ?? moduleOrigin()).origin;
  const mode = options.mode ?? 'popup';
  const emit = (event: ConnectEvent) => {
    try {
      options.onEvent?.(event);
    } catch {
      // A failing listener must not break the flow.
    }
  };
  const url = connectUrl(hub, { ...options, mode });

  return new Promise<ConnectResult>((resolve, reject) => {
    let settled: 'resolved' | 'rejected' | undefined;
    let popup: Window | null = null;
    let mounted: { dialog: HTMLDialogElement; frame: HTMLIFrameElement } | undefined;
    let watch: ReturnType<typeof setInterval> | undefined;

    const target = (): Window | null => (mounted ? mounted.frame.contentWindow : popup);
    const cleanup = () => {
      window.removeEventListener('message', onMessage);
      if (watch) clearInterval(watch);
      if (mounted) {
        mounted.dialog.close();
        mounted.dialog.remove();
        mounted = undefined;
      }
      if (popup && !popup.closed) popup.close();
    };
    const fail = (reason: ConnectFailure, message: string) => {
      if (settled) return;
      settled = 'rejected';
      cleanup();
      emit({ type: 'closed' });
      reject(new ConnectError(reason, message));
    };
    const close = () => {
      if (settled === 'resolved') {
        cleanup();
        emit({ type: 'closed' });
      } else fail('closed', 'The Connect UI was closed before an account was connected.');
    };

    function handle(message: ConnectUiMessage) {
      switch (message.type) {
        case 'opened':
          emit({ type: 'opened' });
          break;
        case 'integration_selected':
          emit({ type: 'integration_selected', integrationId: message.integrationId });
          break;
        case 'connected': {
          if (settled) return;
          settled = 'resolved';
          const result = { connectionId: message.connectionId, integrationId: message.integrationId, endCustomerId: message.endCustomerId };
          emit({ type: 'connected', ...result });
          resolve(result);
          break;
        }
        case 'error':
          fail(message.reason, message.message);
          break;
        case 'closed':
          close();
          break;
      }
    }

    function onMessage(event: MessageEvent) {
      const from = target();
      if (event.origin !== hub || !from || event.source !== from || !isConnectUiMessage(event.data)) {
        // Only messages that claim to be ours are counted; other scripts on the page use postMessage too.
        if (isConnectUiMessage(event.data)) {
          ignored += 1;
          emit({ type: 'ignored_message', origin: event.origin });
        }
        return;
      }
      handle(event.data);
    }

    window.addEventListener('message', onMessage);
    if (mode === 'modal') {
      mounted = mountDialog(url, close);
    } else {
      const width = 480;
      const height = 680;
      const left = Math.max(0, window.screenX + (window.outerWidth - width) / 2);
      const top = Math.max(0, window.screenY + (window.outerHeight - height) / 2);
      popup = window.open(url, 'patchbay-connect', `popup=yes,width=${width},height=${height},left=${left},top=${top}`);
      if (!popup) {
        fail('error', 'The browser blocked the Connect UI popup: call openConnect from a click handler, or use mode "modal".');
        return;
      }
      watch = setInterval(() => {
        if (popup?.closed) close();
      }, 300);
    }
  });
}

/**
 * A widget element: the hub's widget page in a frame, from an embed token (`POST
 * /api/v1/embed-tokens`). Without a `height` attribute the frame fits the widget's content, as
 * the widget reports it (only from this frame, only from the hub's origin).
 */
function defineWidgetElement(name: string, widget: { path: string; title: string; height: string; params: string[] }): void {
  if (typeof customElements === 'undefined' || customElements.get(name)) return;
  customElements.define(
    name,
    class extends HTMLElement {
      static observedAttributes = ['token', 'hub', 'height', ...widget.params];
      #frame: HTMLIFrameElement | undefined;
      #hub = '';
      #fit = (event: MessageEvent) => {
        const frame = this.#frame;
        if (!frame || event.source !== frame.contentWindow || event.origin !== this.#hub || !isWidgetResize(event.data) || this.getAttribute('height')) return;
        frame.style.height = `${Math.min(4000, Math.max(80, Math.ceil(event.data.height)))}px`;
      };
      connectedCallback() {
        window.addEventListener('message', this.#fit);
        this.render();
      }
      disconnectedCallback() {
        window.removeEventListener('message', this.#fit);
      }
      attributeChangedCallback() {
        if (this.isConnected) this.render();
      }
      render() {
        const token = this.getAttribute('token') ?? '';
        this.#hub = new URL(this.getAttribute('hub') ?? moduleOrigin()).origin;
        const url = new URL(widget.path, this.#hub);
        const id = embedIdOf(token);
        if (id) url.searchParams.set('embed', id);
        for (const param of widget.params) {
          const value = this.getAttribute(param);
          if (value) url.searchParams.set(param, value);
        }
        url.hash = `token=${encodeURIComponent(token)}`;
        const frame = document.createElement('iframe');
        frame.title = this.getAttribute('aria-label') ?? widget.title;
        frame.src = url.href;
        const height = this.getAttribute('height') ?? '';
        frame.style.cssText = `${FRAME_STYLE};height:${LENGTH.test(height) ? height : widget.height}`;
        this.#frame = frame;
        this.replaceChildren(frame);
      }
    },
  );
}

/**
 * Defines `<patchbay-connections token="pb_et_…" hub="https://hub.example.com">`: the end
 * customer's connections, with their status and (when the token may connect) Connect, Reconnect
 * and Disconnect buttons; with `connection="conn_…"`, that connection's status card. Done on
 * import under that name.
 */
export function defineConnectionsElement(name = 'patchbay-connections'): void {
  defineWidgetElement(name, { path: '/connect/embed', title: 'Connected accounts', height: '420px', params: ['connection'] });
}

/**
 * Defines `<patchbay-sync-progress token="pb_et_…" connection="conn_…" model="customers">`: the
 * latest or ongoing sync run of the end customer's connection (of any of theirs without
 * `connection`), updating while it runs. Any embed token may show it. Done on import under that name.
 */
export function defineSyncProgressElement(name = 'patchbay-sync-progress'): void {
  defineWidgetElement(name, { path: '/connect/embed/sync', title: 'Sync progress', height: '300px', params: ['connection', 'model'] });
}

defineConnectionsElement();
defineSyncProgressElement();

/** The `postMessage` channel name of the Connect UI's messages. */
export const CHANNEL = PROTOCOL_CHANNEL;
