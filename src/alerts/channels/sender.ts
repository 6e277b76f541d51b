/**
 * What every channel type implements: the secret and plain settings it takes, the URLs it will
 * call (checked by the SSRF guard when the channel is saved), and `send`, which turns an alert
 * change into the provider's request and returns what the provider calls the notification (so a
 * later change can update it).
 */
import { request, type Dispatcher } from 'undici';
import type { FieldError } from '../../core/index.ts';
import type { Severity } from '../schema.ts';
import type { NotifyAction } from '../notify-plan.ts';

/** An alert as channels show it. */
export interface AlertMessage {
  id: string;
  title: string;
  message: string;
  severity: Severity;
  status: string;
  rule: string;
  dedupKey: string;
  subjectType: string | null;
  subjectId: string | null;
  openedAt: Date;
  acknowledgedBy: string | null;
  resolvedBy: string | null;
  /** The alert in the dashboard. */
  link: string;
  /** The connection (or other subject) in the dashboard, when there is one. */
  subjectLink: string | null;
}

export type SendAction = NotifyAction | 'test';

export interface SendInput {
  action: SendAction;
  alert: AlertMessage;
  config: Record<string, unknown>;
  secrets: Record<string, string>;
  /** What the provider called this alert's earlier notification (Slack's `ts`…). */
  ref: Record<string, string> | null;
  dispatcher: Dispatcher;
  timeoutMs: number;
}

export interface ChannelSender {
  /** Secret settings kept in the vault, e.g. `webhookUrl`, `routingKey`. */
  secretFields: readonly string[];
  /** Problems with the settings, named by field (`/config/channel`, `/secrets/webhookUrl`). */
  validate(config: Record<string, unknown>, secrets: Record<string, string>): FieldError[];
  /** URLs the channel will call, for the SSRF guard. */
  urls(config: Record<string, unknown>, secrets: Record<string, string>): string[];
  send(input: SendInput): Promise<Record<string, string> | undefined>;
}

/** A channel's provider refused or failed; `retryable` says whether trying later may help. */
export class ChannelError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ChannelError';
  }
}

export const SEVERITY_COLOURS: Record<Severity, string> = { critical: '#d92d20', warning: '#f79009', info: '#2e90fa' };
export const RESOLVED_COLOUR = '#12b76a';

export function headline(action: SendAction, alert: AlertMessage): string {
  const tag = action === 'test' ? 'TEST' : action === 'resolve' ? 'RESOLVED' : action === 'acknowledge' ? 'ACKNOWLEDGED' : alert.severity.toUpperCase();
  return `[${tag}] ${alert.title}`;
}

export interface HttpAnswer {
  status: number;
  text: string;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * POSTs JSON and answers the response; a network failure or timeout is a retryable
 * ChannelError. Messages never carry the URL (webhook URLs are secrets).
 */
export async function postJson(
  provider: string,
  url: string,
  body: unknown,
  options: { dispatcher: Dispatcher; timeoutMs: number; headers?: Record<string, string> },
): Promise<HttpAnswer> {
  try {
    const res = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'Patchbay-Alerts/1', ...options.headers },
      body: JSON.stringify(body),
      dispatcher: options.dispatcher,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    const text = await res.body.text();
    return { status: res.statusCode, text, headers: res.headers };
  } catch (err) {
    const code = (err as { code?: string }).code ?? (err as Error).name;
    throw new ChannelError(`${provider} could not be reached (${code})`, true);
  }
}

/** A non-2xx answer as a ChannelError: 429 and 5xx may pass, other refusals will not. */
export function httpFailure(provider: string, answer: HttpAnswer): ChannelError {
  const snippet = answer.text.replace(/\s+/g, ' ').slice(0, 200);
  const retryable = answer.status === 429 || answer.status >= 500;
  return new ChannelError(`${provider} answered HTTP ${answer.status}${snippet ? `: ${snippet}` : ''}`, retryable, answer.status);
}

export const str = (value: unknown): string | undefined => (typeof value === 'string' && value.length > 0 ? value : undefined);

export function requireUrl(errors: FieldError[], field: string, value: unknown): void {
  const text = str(value);
  if (!text) return void errors.push({ field, message: 'is required' });
  try {
    const url = new URL(text);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') errors.push({ field, message: 'must be an http(s) URL' });
  } catch {
    errors.push({ field, message: 'is not a URL' });
  }
}
