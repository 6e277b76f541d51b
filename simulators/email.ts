/**
 * An SMTP server for the Email (SMTP) connector: a real one (smtp-server) on loopback that requires
 * AUTH PLAIN or LOGIN (RFC 4954) with one username and password, answers a wrong one with
 * `535 5.7.8 Authentication credentials invalid` as RFC 4954 §6 says, and keeps every message it
 * accepts (envelope and raw RFC 5322 text) for tests to read. No STARTTLS: the connection's TLS
 * setting is `none`, as for a relay on the same host.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { createControl } from './support/control.ts';
import type { SimulatorHandle, SimulatorOptions, SimulatorProfile, StartSimulator } from './support/handle.ts';

export const EMAIL_SAMPLE = { username: 'patchbay-sim', password: 'smtp-sim-password-0001', from: 'hub@patchbay-sim.example' } as const;

export interface ReceivedMail {
  from: string;
  to: string[];
  /** The message as sent (headers and body). */
  raw: string;
  /** Who signed in to send it. */
  user: string;
}

export interface EmailSimulatorHandle extends SimulatorHandle {
  mails: ReceivedMail[];
}

const PROFILE: SimulatorProfile = {
  actions: { send: { to: 'someone@patchbay-sim.example', subject: 'Conformance', text: 'Sent by the conformance suite.' } },
};

async function start(options: SimulatorOptions = {}): Promise<EmailSimulatorHandle> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    authMethods: ['PLAIN', 'LOGIN'],
    // Signing in over plain text is what a local relay allows; real servers want STARTTLS first.
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === EMAIL_SAMPLE.username && auth.password === EMAIL_SAMPLE.password) return callback(null, { user: auth.username });
      return callback(Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          user: String(session.user ?? ''),
        });
        callback();
      });
    },
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  const url = `smtp://${host}:${port}`;
  return {
    key: 'email',
    url,
    baseUrl: url,
    mails,
    sample: {
      credentials: { username: EMAIL_SAMPLE.username, password: EMAIL_SAMPLE.password },
      connectionConfig: { host, port: String(port), tls: 'none', from: EMAIL_SAMPLE.from },
      integrationConfig: {},
      metadata: {},
    },
    // SMTP, not HTTP: the HTTP controls are inert.
    control: createControl(),
    profile: PROFILE,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export const startEmailSimulator: typeof start & { profile: SimulatorProfile } = Object.assign(start, { profile: PROFILE });
startEmailSimulator satisfies StartSimulator;
