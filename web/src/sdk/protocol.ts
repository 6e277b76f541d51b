/**
 * The messages between a product's page (the SDK) and the Connect UI, sent with `postMessage`.
 * Each side checks the sender's exact origin: the SDK accepts only the hub's origin and only from
 * the window it opened; the Connect UI talks only to the session's allowed origins.
 */
export const CHANNEL = 'patchbay-connect';

export type ConnectUiMessage =
  | { channel: typeof CHANNEL; type: 'opened' }
  | { channel: typeof CHANNEL; type: 'integration_selected'; integrationId: string }
  | { channel: typeof CHANNEL; type: 'connected'; connectionId: string; integrationId: string; endCustomerId: string }
  | { channel: typeof CHANNEL; type: 'error'; reason: 'expired' | 'denied' | 'error'; message: string }
  | { channel: typeof CHANNEL; type: 'closed' };

export function isConnectUiMessage(data: unknown): data is ConnectUiMessage {
  return typeof data === 'object' && data !== null && (data as { channel?: unknown }).channel === CHANNEL && typeof (data as { type?: unknown }).type === 'string';
}

/** `pb_cs_<id>.<secret>` → `<id>`: the session the Connect UI's page is asked for. */
export const sessionIdOf = (token: string): string | undefined => /^pb_cs_(cs_[A-Za-z0-9]+)\./.exec(token)?.[1];

/** `pb_et_<id>.<secret>` → `<id>`: the embed token the widget's page is asked for. */
export const embedIdOf = (token: string): string | undefined => /^pb_et_(emb_[A-Za-z0-9]+)\./.exec(token)?.[1];

/**
 * What a widget page (`/connect/embed…`) tells the element that frames it: its content's height,
 * so the frame fits it. Only a number is sent, to the parent whatever its origin (the widget does
 * not know it; who may frame it at all is the embed token's `frame-ancestors`), and the element
 * accepts it only from its own frame and the hub's origin.
 */
export const WIDGET_CHANNEL = 'patchbay-widget';

export interface WidgetResizeMessage {
  channel: typeof WIDGET_CHANNEL;
  type: 'resize';
  height: number;
}

export function isWidgetResize(data: unknown): data is WidgetResizeMessage {
  const message = data as Partial<WidgetResizeMessage> | null;
  return typeof data === 'object' && data !== null && message!.channel === WIDGET_CHANNEL && message!.type === 'resize' && typeof message!.height === 'number' && Number.isFinite(message!.height);
}
