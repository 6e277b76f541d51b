/**
 * One list convention for every resource: `?limit=&cursor=` → `{ data, nextCursor }`. The cursor
 * is opaque to clients (base64url of the last id seen); lists run newest first unless a route
 * says otherwise.
 */
import { Type, type TSchema } from 'typebox';
import { problems } from '../core/index.ts';

export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 250, default: 50, description: 'Items per page (1–250)' })),
  cursor: Type.Optional(Type.String({ maxLength: 200, description: 'The `nextCursor` of the previous page' })),
};

export const Page = <T extends TSchema>(item: T) =>
  Type.Object({ data: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) });

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^[a-z]{2,6}_[0-9a-z]{10,40}$/.test(id)) throw problems.validation([{ field: 'querystring:/cursor', message: 'is not a cursor this API gave out' }]);
  return id;
}

export function encodeCursor(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url');
}

/**
 * Builds a page from rows fetched with `limit + 1`: the extra row only says there is more.
 * @example page(await list({ limit: limit + 1, before }), limit, (r) => r.id)
 */
export function page<T>(rows: T[], limit: number, idOf: (row: T) => string): { data: T[]; nextCursor: string | null } {
  const data = rows.slice(0, limit);
  const last = data[data.length - 1];
  return { data, nextCursor: rows.length > limit && last ? encodeCursor(idOf(last)) : null };
}
