/** Types of `@patchbay/connect` (served at /sdk/connect.d.ts). */
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

export declare class ConnectError extends Error {
  readonly reason: ConnectFailure;
  constructor(reason: ConnectFailure, message: string);
}

/** Opens the Connect UI; resolves with the connection, or rejects with a ConnectError. */
export declare function openConnect(options: OpenConnectOptions): Promise<ConnectResult>;

/** How many messages from other origins or windows were ignored on this page. */
export declare function ignoredMessages(): number;

export declare const CHANNEL: 'patchbay-connect';

/** Defines `<patchbay-connections token="pb_et_…" hub="…" height="420px">` (done on import under that name). */
export declare function defineConnectionsElement(name?: string): void;
