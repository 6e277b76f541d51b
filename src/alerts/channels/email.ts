/**
 * Email over SMTP with nodemailer: a plain-text and an HTML part. `config`: host, port, secure
 * (TLS from the start, port 465) or STARTTLS when the server offers it, from, to (a list),
 * username; the password is the secret.
 */
import nodemailer from 'nodemailer';
import type { FieldError } from '../../core/index.ts';
import { ChannelError, headline, str, SEVERITY_COLOURS, RESOLVED_COLOUR, type ChannelSender } from './sender.ts';

const EMAIL = /^[^\s@]+@[^\s@]+$/;

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const recipients = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : typeof value === 'string' ? [value] : []);

export const emailSender: ChannelSender = {
  secretFields: ['password'],
  validate(config) {
    const errors: FieldError[] = [];
    if (!str(config.host)) errors.push({ field: '/config/host', message: 'is required (the SMTP server)' });
    if (config.port !== undefined && !(Number.isInteger(config.port) && (config.port as number) > 0 && (config.port as number) < 65536)) errors.push({ field: '/config/port', message: 'must be a port number' });
    if (!EMAIL.test(str(config.from) ?? '')) errors.push({ field: '/config/from', message: 'must be an email address' });
    const to = recipients(config.to);
    if (to.length === 0 || !to.every((t) => EMAIL.test(t))) errors.push({ field: '/config/to', message: 'must list one or more email addresses' });
    return errors;
  },
  // The SSRF guard takes URLs; the SMTP server's host and port are checked as one.
  urls: (config) => [`http://${str(config.host)}:${Number(config.port ?? 587)}`],
  async send(input) {
    const { alert, action, config } = input;
    const secure = config.secure === true;
    const transport = nodemailer.createTransport({
      host: str(config.host)!,
      port: Number(config.port ?? (secure ? 465 : 587)),
      secure,
      ...(str(config.username) ? { auth: { user: str(config.username)!, pass: input.secrets.password ?? '' } } : {}),
      connectionTimeout: input.timeoutMs,
      greetingTimeout: input.timeoutMs,
      socketTimeout: input.timeoutMs,
    });
    const subject = headline(action, alert);
    const colour = action === 'resolve' ? RESOLVED_COLOUR : SEVERITY_COLOURS[alert.severity];
    const lines = [
      alert.message,
      '',
      `Severity: ${alert.severity}`,
      `Rule: ${alert.rule}`,
      ...(alert.subjectId ? [`${alert.subjectType ?? 'Subject'}: ${alert.subjectId}`] : []),
      `Opened: ${alert.openedAt.toISOString()}`,
      '',
      alert.link,
    ];
    const html = `<div style="border-left:4px solid ${colour};padding:8px 12px;font-family:sans-serif">
<h2 style="margin:0 0 8px">${escape(subject)}</h2><p>${escape(alert.message)}</p>
<table>${[['Severity', alert.severity], ['Rule', alert.rule], ...(alert.subjectId ? [[alert.subjectType ?? 'Subject', alert.subjectId]] : []), ['Opened', alert.openedAt.toISOString()]]
      .map(([k, v]) => `<tr><th align="left">${escape(k!)}</th><td>${escape(v!)}</td></tr>`)
      .join('')}</table>
<p><a href="${escape(alert.link)}">Open in Patchbay</a></p></div>`;
    try {
      await transport.sendMail({ from: str(config.from)!, to: recipients(config.to), subject, text: lines.join('\n'), html, headers: { 'X-Patchbay-Alert': alert.id } });
    } catch (err) {
      const e = err as { responseCode?: number; code?: string; message?: string };
      const permanent = typeof e.responseCode === 'number' && e.responseCode >= 500;
      throw new ChannelError(`The SMTP server ${permanent ? 'refused' : 'could not take'} the message (${e.responseCode ?? e.code ?? 'error'}${e.responseCode ? `: ${(e.message ?? '').slice(0, 160)}` : ''})`, !permanent);
    } finally {
      transport.close();
    }
    return undefined;
  },
};
