import { Type, type TSchema } from 'typebox';
import { ProblemSchema } from './problems.ts';

/** Problem responses for the listed statuses, for the OpenAPI document. */
export function problemResponses(...statuses: number[]): Record<number, TSchema> {
  return Object.fromEntries(statuses.map((s) => [s, ProblemSchema]));
}

/** The problems every authenticated route may answer. */
export const AUTHENTICATED_PROBLEMS = [400, 401, 403, 429] as const;

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) });

export const Timestamp = Type.String({ format: 'date-time' });
export const NullableTimestamp = Type.Union([Timestamp, Type.Null()]);

export const EmptyObject = Type.Object({}, { additionalProperties: false });

/** Dates leave the API as ISO strings. */
export const iso = (value: Date | null | undefined): string | null => (value ? value.toISOString() : null);
