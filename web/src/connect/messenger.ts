/**
 * Talking to the page that opened the Connect UI (popup: `window.opener`; modal: `window.parent`).
 * Messages go only to the session's allowed origins (the browser delivers each to the one the
 * page really has), and messages are accepted only from them; any other is ignored and counted
 * on `<html data-ignored-messages>`.
 */
import { CHANNEL, type ConnectUiMessage } from '../sdk/protocol.ts';

type Outgoing = ConnectUiMessage extends infer M ? (M extends { channel: string } ? Omit<M, 'channel'> : never) : never;

export interface Messenger {
  send(message: Outgoing): void;
  readonly ignored: number;
  stop(): void;
}

export function createMessenger(allowedOrigins: readonly string[]): Messenger {
  const target = window.opener ?? (window.parent !== window ? window.parent : null);
  let ignored = 0;
  const onMessage = (event: MessageEvent) => {
    if (event.source === window) return;
    if (!allowedOrigins.includes(event.origin)) {
      ignored += 1;
      document.documentElement.dataset.ignoredMessages = String(ignored);
    }
    // The Connect UI takes no commands yet: an allowed page's messages are simply not needed.
  };
  window.addEventListener('message', onMessage);
  return {
    send(message) {
      if (!target) return;
      for (const origin of allowedOrigins) {
        try {
          (target as Window).postMessage({ channel: CHANNEL, ...message }, origin);
        } catch {
          // A malformed origin cannot be posted to; the others still are.
        }
      }
    },
    get ignored() {
      return ignored;
    },
    stop: () => window.removeEventListener('message', onMessage),
  };
}
