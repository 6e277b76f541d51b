import { describe, expect, it } from 'vitest';
import { createLogger } from './logging.ts';
import { addLogContext, withLogContext, withOwnLogContext, withoutLogContext } from './log-context.ts';

function capture() {
  const raw: string[] = [];
  const logger = createLogger({ level: 'info', destination: { write: (line: string) => void raw.push(line) } });
  return { logger, raw, lines: () => raw.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

const CONN = 'conn_01m90q1526z3xs5e1krqyjg2xt';

describe('log context', () => {
  it('writes the scope’s ids on the lines of any logger, across awaits and timers', async () => {
    const { logger, lines } = capture();
    const child = logger.child({ component: 'x' });
    await withOwnLogContext({ requestId: 'req_1', connectionId: CONN }, async () => {
      logger.info('first');
      await new Promise((resolve) => setTimeout(resolve, 1));
      child.info('after a timer');
    });
    logger.info('outside');
    expect(lines()).toMatchObject([
      { requestId: 'req_1', connectionId: CONN, msg: 'first' },
      { requestId: 'req_1', connectionId: CONN, component: 'x', msg: 'after a timer' },
      { msg: 'outside' },
    ]);
    expect(lines()[2]).not.toHaveProperty('requestId');
  });

  it('adds to the scope with withLogContext and addLogContext, and starts afresh with withOwnLogContext', () => {
    const { logger, lines } = capture();
    withOwnLogContext({ requestId: 'req_1' }, () => {
      withLogContext({ endpointId: 'ep_1' }, () => logger.info('inner'));
      addLogContext({ connectionId: CONN });
      logger.info('added');
      withOwnLogContext({ jobId: 'job_1' }, () => logger.info('own'));
      withoutLogContext(() => logger.info('none'));
    });
    expect(lines()).toEqual([
      expect.objectContaining({ requestId: 'req_1', endpointId: 'ep_1', msg: 'inner' }),
      expect.objectContaining({ requestId: 'req_1', connectionId: CONN, msg: 'added' }),
      expect.not.objectContaining({ requestId: 'req_1' }),
      expect.not.objectContaining({ requestId: 'req_1' }),
    ]);
    expect(lines()[1]).not.toHaveProperty('endpointId');
    expect(lines()[2]).toMatchObject({ jobId: 'job_1' });
  });

  it('scrubs a value a caller chose (an email as a connection id) and cuts a long one', () => {
    const { logger, lines } = capture();
    withOwnLogContext({ connectionId: 'olive@acme.test', requestId: 'r'.repeat(5_000) }, () => logger.info('line'));
    expect(lines()[0]).toMatchObject({ connectionId: '[email]' });
    expect(String(lines()[0]!.requestId).length).toBe(200);
  });

  it('writes a key once: a child logger’s binding and the line’s own field win over the scope', () => {
    const { logger, raw, lines } = capture();
    withOwnLogContext({ requestId: 'req_scope', connectionId: CONN }, () => {
      logger.child({ requestId: 'req_bound' }).info('bound');
      logger.info({ connectionId: 'conn_given' }, 'given');
    });
    expect(raw[0]!.split('"requestId":').length).toBe(2);
    expect(raw[1]!.split('"connectionId":').length).toBe(2);
    expect(lines()).toMatchObject([{ requestId: 'req_bound' }, { requestId: 'req_scope', connectionId: 'conn_given' }]);
  });
});
