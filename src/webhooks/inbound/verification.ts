/**
 * What a source checks, said plainly. A generic source must name its verification — `none`
 * included, so accepting anything is a choice someone made, and in a production environment a
 * choice acknowledged with `allowUnverified: true`. A preset shows the headers its provider
 * signs with, read off the connector's own verifier. And the headers a verification reads (plus
 * the usual credential headers) are what gets redacted when a request is stored.
 */
import { getConnector, type Connector, type InboundWebhookRequest } from '../../connectors/index.ts';
import type { FieldError } from '../../core/index.ts';
import type { GenericVerification, Source } from './schema.ts';

/** Environments where unverified sources must be acknowledged. */
const PRODUCTION_NAMES = new Set(['prod', 'production', 'live']);

export const isProductionEnvironment = (name: string | undefined): boolean => name !== undefined && PRODUCTION_NAMES.has(name.toLowerCase());

/** Headers that carry credentials whatever the source: never stored in clear. */
export const CREDENTIAL_HEADERS: readonly string[] = ['authorization', 'proxy-authorization', 'cookie', 'x-api-key', 'api-key', 'x-auth-token', 'x-access-token', 'x-webhook-secret', 'x-webhook-token'];
const CREDENTIAL_NAME = /(^|-)(secret|token|password|passwd|api-?key|auth|credentials?|session)(-|$)/i;

/** True for a header whose name says it carries a credential. */
export const isCredentialHeader = (name: string): boolean => CREDENTIAL_HEADERS.includes(name.toLowerCase()) || CREDENTIAL_NAME.test(name);

export interface VerificationChoice {
  connectorKey: string | null;
  verification: GenericVerification | undefined;
  allowUnverified?: boolean | undefined;
}

/**
 * The fields wrong with a source's verification: a generic source names one (`{ "type": "none" }`
 * to accept anything), and `none` in production needs `allowUnverified: true`.
 * `creating` is false for a change that leaves the verification as it was.
 */
export function verificationErrors(choice: VerificationChoice, environmentName: string | undefined, creating: boolean): FieldError[] {
  if (choice.connectorKey) return [];
  if (!choice.verification) {
    return creating ? [{ field: '/verification', message: 'is required for a generic source: hmac, basic or header; or {"type": "none"} to accept unverified requests' }] : [];
  }
  if (choice.verification.type === 'none' && isProductionEnvironment(environmentName) && choice.allowUnverified !== true) {
    return [{ field: '/allowUnverified', message: `must be true to accept unverified requests in ${environmentName}: anyone who learns the URL can send events` }];
  }
  return [];
}

/** True when the source accepts any request (a generic source with verification `none`). */
export const isUnverified = (source: Pick<Source, 'connectorKey' | 'verification'>): boolean => !source.connectorKey && source.verification.type === 'none';

/** A request whose headers record which names were read (and answer `probe` for every one when asked). */
export function recordingHeaders(headers: Readonly<Record<string, string>>, read: Set<string>, answerAll?: string): Readonly<Record<string, string>> {
  return new Proxy(headers as Record<string, string>, {
    get(target, name) {
      if (typeof name !== 'string') return undefined;
      read.add(name.toLowerCase());
      return answerAll ?? target[name];
    },
    has(target, name) {
      if (typeof name === 'string') read.add(name.toLowerCase());
      return answerAll !== undefined || name in target;
    },
  });
}

export interface PresetVerification {
  type: 'preset';
  connector: string;
  /** The headers the provider's signature arrives in, as its verifier reads them. */
  headers: string[];
}

const presetCache = new Map<string, PresetVerification>();

/**
 * A preset's verification, described by running its verifier once on a probe request whose every
 * header answers a placeholder, and noting which headers it reads (no provider list to keep in
 * step with the connector files).
 */
export function presetVerification(connector: Connector, settings: Record<string, string> = {}): PresetVerification {
  const key = `${connector.key}\u0000${JSON.stringify(settings)}`;
  const cached = presetCache.get(key);
  if (cached) return cached;
  const read = new Set<string>();
  const probe: InboundWebhookRequest = {
    method: 'POST',
    url: 'https://patchbay.invalid/webhooks/in/src_probe',
    headers: recordingHeaders({}, read, 'probe'),
    rawBody: Buffer.from('{}'),
    receivedAt: new Date(0),
  };
  try {
    const result = connector.webhooks?.verify(probe, ['probe-secret'], { toleranceSeconds: 300, settings });
    if (result instanceof Promise) result.catch(() => undefined);
  } catch {
    // A verifier that throws on the probe has still read what it reads first.
  }
  const described: PresetVerification = { type: 'preset', connector: connector.key, headers: [...read].sort() };
  presetCache.set(key, described);
  return described;
}

/**
 * How a source verifies, as every view shows it (API and CLI alike): a preset's real verification
 * (the headers its provider signs in) or a generic source's own, and whether it is unverified.
 * The connector registry must be loaded.
 */
export function sourceVerification(source: Pick<Source, 'connectorKey' | 'verification' | 'settings'>): { verification: GenericVerification | PresetVerification; unverified: boolean } {
  const connector = source.connectorKey ? getConnector(source.connectorKey) : undefined;
  return { verification: connector?.webhooks ? presetVerification(connector, source.settings) : source.verification, unverified: isUnverified(source) };
}
