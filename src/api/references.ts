/**
 * References in a request body (`integrationId`, `endpointId`, `sourceId`, …) are checked against
 * the caller's organization and environment before anything is stored or acted on: a reference to
 * something that does not exist there — another organization's integration, say — is a 422 naming
 * the field, never a stored dangling id.
 */
import { ProblemError, problems, type FieldError } from '../core/index.ts';

export interface BodyReference {
  /** JSON pointer of the field, e.g. `/integrationId`. */
  field: string;
  /** What it names, in words: `integration`. */
  what: string;
  /** The value sent; absent or null references are not checked. */
  id: string | null | undefined;
  /** Finds it in the caller's scope; anything falsy (or a thrown 404) means it is not there. */
  find(id: string): Promise<unknown>;
}

export async function checkReferences(references: BodyReference[]): Promise<void> {
  const errors: FieldError[] = [];
  for (const ref of references) {
    if (ref.id === null || ref.id === undefined) continue;
    let found: unknown;
    try {
      found = await ref.find(ref.id);
    } catch (err) {
      if (!(err instanceof ProblemError && err.status === 404)) throw err;
    }
    if (!found) errors.push({ field: ref.field, message: `names no ${ref.what} in this environment` });
  }
  if (errors.length > 0) {
    throw problems.unprocessable(`${errors.map((e) => `${e.field.slice(1)}`).join(', ')} ${errors.length === 1 ? 'names' : 'name'} nothing in this environment.`, errors);
  }
}
