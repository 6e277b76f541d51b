import { ProblemError } from '../../core/index.ts';
import { findEnvironment } from '../../auth/index.ts';
import { listJobs, retryJob, type JobState } from '../../queue/index.ts';
import { organizationBySlug } from './keys.ts';
import { OperationError, required, text, type Operation } from './index.ts';

const STATES: JobState[] = ['pending', 'running', 'failed'];

const list: Operation = async ({ database }, args) => {
  const orgSlug = text(args, 'org');
  const org = orgSlug ? await organizationBySlug(database.db, orgSlug) : undefined;
  const envName = text(args, 'env');
  if (envName && !org) throw new OperationError('--env needs --org');
  const env = org && envName ? await findEnvironment(database.db, org.id, envName) : undefined;
  if (envName && !env) throw new OperationError(`no environment "${envName}"`, 404);
  const state = text(args, 'state');
  if (state && !STATES.includes(state as JobState)) throw new OperationError(`--state must be one of ${STATES.join(', ')}`);
  const limit = Number(args.limit ?? 50);
  if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw new OperationError('--limit must be a whole number from 1 to 200');
  return listJobs(database.db, { organizationId: org?.id, environmentId: env?.id, state: state as JobState | undefined, type: text(args, 'type'), limit, cursor: text(args, 'cursor') });
};

const retry: Operation = async ({ database, clock }, args) => {
  try {
    return await retryJob(database.db, required(args, 'id'), undefined, { clock });
  } catch (err) {
    if (err instanceof ProblemError) throw new OperationError(err.detail ?? err.title, err.status, err.status === 404 ? 3 : 2);
    throw err;
  }
};

export const jobOperations = { 'jobs.list': list, 'jobs.retry': retry };
